/**
 * The schema an operation runs against: fixed, or the current one of a schema that
 * changes while serving (typed-views/typed-views.ts). A document checked against one
 * schema is not valid for the next, so each schema gets its own document cache.
 */
import type { GraphQLSchema } from 'graphql';
import { DocumentCache, type DocumentCacheOptions } from './document-cache';

export type SchemaSource = GraphQLSchema | (() => GraphQLSchema);

export function currentSchema(source: SchemaSource): () => GraphQLSchema {
  return typeof source === 'function' ? source : () => source;
}

/** The document cache of the current schema, made anew when the schema changes. */
export function documentsPerSchema(
  source: SchemaSource,
  options: Omit<DocumentCacheOptions, 'schema'>,
): () => { schema: GraphQLSchema; documents: DocumentCache } {
  const schemaOf = currentSchema(source);
  let last: { schema: GraphQLSchema; documents: DocumentCache } | undefined;
  return () => {
    const schema = schemaOf();
    if (last?.schema !== schema) last = { schema, documents: new DocumentCache({ ...options, schema }) };
    return last;
  };
}
