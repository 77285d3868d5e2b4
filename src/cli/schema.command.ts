/**
 * `tidemark schema print`: the whole schema a server over this store serves now, as SDL:
 * the static part (schema.graphql) plus the typed view of every active contract major.
 */
import { Command } from 'commander';
import { command, withRuntime } from './run-command';

export function schemaCommand(): Command {
  return new Command('schema').description('The GraphQL schema').addCommand(
    new Command('print')
      .description('Print the schema served over this store (SDL), typed feature views included')
      .action(
        command(async () => {
          // Loaded here: the other commands do not need the GraphQL schema's modules.
          const { lexicographicSortSchema, printSchema } = await import('graphql');
          const { buildTidemarkSchema } = await import('../graphql/schema');
          const { createTidemarkPubSub } = await import('../graphql/pubsub');
          const { TypedViews } = await import('../graphql/typed-views/typed-views');
          const { readView } = await import('../graphql/typed-views/view-reader');
          const { sdl, problems } = await withRuntime(async (rt) => {
            const views = new TypedViews({
              base: await buildTidemarkSchema(createTidemarkPubSub()),
              registry: rt.registry,
              read: readView,
            });
            await views.refresh();
            return { sdl: printSchema(lexicographicSortSchema(views.current)), problems: views.problems };
          });
          for (const p of problems) process.stderr.write(`warning: ${p}\n`);
          process.stdout.write(`${sdl}\n`);
        }),
      ),
  );
}
