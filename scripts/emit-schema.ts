/**
 * Prints the GraphQL schema SDL. `npm run schema` writes schema.graphql; the test
 * suite fails when the committed file drifts from the code.
 */
import { writeFileSync } from 'node:fs';
import { printSchema, lexicographicSortSchema } from 'graphql';
import { buildTidemarkSchema } from '../src/graphql/schema';
import { createTidemarkPubSub } from '../src/graphql/pubsub';

export async function currentSchemaSdl(): Promise<string> {
  const schema = await buildTidemarkSchema(createTidemarkPubSub());
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}

if (process.argv[1]?.endsWith('emit-schema.ts')) {
  const sdl = await currentSchemaSdl();
  if (process.argv.includes('--check')) {
    const { readFileSync } = await import('node:fs');
    if (readFileSync('schema.graphql', 'utf8') !== sdl) {
      console.error('schema.graphql is out of date: run `npm run schema` and commit it');
      process.exit(1);
    }
  } else {
    writeFileSync('schema.graphql', sdl);
    console.log('schema.graphql written');
  }
}
