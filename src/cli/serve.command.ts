/**
 * `tidemark serve`: the API server; registers the contracts directory first. The work
 * lives in serve.ts, imported when the command runs.
 */
import { Command } from 'commander';
import { ROLES } from '../config';
import { command } from './run-command';
import type { ServeOptions } from './serve';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Start the GraphQL server (registers the contracts directory first)')
    .option('--no-sync', 'do not register the contracts directory at start-up')
    .option(
      '--samples',
      'copy the sample data into an empty landing directory (default: only on the embedded SQLite store in dev)',
    )
    .option('--no-samples', 'never copy the sample data')
    .option(
      '--role <role>',
      `${ROLES.join('|')}: api answers GraphQL and only queues runs, worker executes them (HTTP: only /healthz, /readyz, /metrics), all both (default: TIDEMARK_ROLE or all)`,
    )
    .action(
      command(async (opts: ServeOptions) => {
        const { serve } = await import('./serve');
        await serve(opts);
      }),
    );
}
