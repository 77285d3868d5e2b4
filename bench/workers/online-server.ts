/**
 * A server for the online read case, in its own process: `--mode tidemark` serves
 * Tidemark's GraphQL over the given SQLite data directory; `--mode bare` serves the
 * baseline endpoint over the same SQLite file. Tells the parent its port. Both run
 * with NODE_ENV=production, as deployed.
 */
import { join } from 'node:path';

// As the Dockerfile runs Tidemark. Libraries read it when they load (graphql-js drops
// its cross-realm instanceof checks), so it is set before the imports below.
process.env.NODE_ENV = 'production';
const { tell, untilStopped, workerArgs } = await import('../lib/child');
const { openBenchRuntime } = await import('../lib/tidemark');
const { createServer } = await import('../../src/server');
const { openBareEndpoint } = await import('./bare-endpoint');
const { liftAbuseLimits } = await import('../lib/limits');
const { answerProfileRequests } = await import('../lib/profile');

const a = workerArgs();
answerProfileRequests(tell);

async function listen(server: import('node:http').Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : 0;
}

if (a.mode === 'tidemark') {
  liftAbuseLimits();
  const bench = await openBenchRuntime({ engine: 'sqlite', pgUrl: '', dataDir: a.dataDir! });
  const server = await createServer(bench.rt);
  const port = await server.listen(0, '127.0.0.1');
  await tell('ready', { port });
  await untilStopped();
  await server.stop();
  await bench.dispose();
} else {
  const bare = await openBareEndpoint(join(a.dataDir!, 'tidemark.sqlite'));
  const port = await listen(bare.server);
  await tell('ready', { port });
  await untilStopped();
  await bare.close();
}
process.exit(0);
