/** `tidemark serve`: the API server; registers the contracts directory first. */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { loadConfig } from '../config';
import { openRuntime } from '../runtime';
import { createServer } from '../server';
import { loadContractFiles } from '../contracts/load';
import { command } from './run-command';

export function serveCommand(): Command {
  return new Command('serve')
    .description('Start the GraphQL server (registers the contracts directory first)')
    .option('--no-sync', 'do not register the contracts directory at start-up')
    .action(
      command(async (opts: { sync: boolean }) => {
        const config = loadConfig();
        const rt = await openRuntime(config);
        try {
          if (opts.sync && existsSync(config.contractsDir)) {
            const outcomes = await rt.contracts.apply(await loadContractFiles([config.contractsDir]), 'system:serve');
            rt.logger.info(
              { registered: outcomes.filter((o) => o.status === 'registered').map((o) => `${o.name}@${o.version}`) },
              'contracts synced',
            );
          }
          await rt.dispatcher.start();
          const server = await createServer(rt);
          const port = await server.listen(config.port, config.host);
          rt.logger.info({ url: `http://${config.host}:${port}/graphql`, engine: rt.store.engine }, 'tidemark listening');
          await waitForSignal();
          rt.logger.info('shutting down');
          await server.stop();
        } finally {
          await rt.close();
        }
      }),
    );
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
