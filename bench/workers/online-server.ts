/**
 * A server for the online read case, in its own process: `--mode tidemark` serves
 * Tidemark's GraphQL over the given SQLite data directory; `--mode bare` serves the
 * baseline endpoint over the same SQLite file. Tells the parent its port.
 */
import { join } from 'node:path';
import { tell, untilStopped, workerArgs } from '../lib/child';
import { openBenchRuntime } from '../lib/tidemark';
import { createServer } from '../../src/server';
import { openBareEndpoint } from './bare-endpoint';
import { liftAbuseLimits } from '../lib/limits';
import { answerProfileRequests } from '../lib/profile';

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
