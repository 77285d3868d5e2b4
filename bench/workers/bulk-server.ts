/**
 * The server for the bulk training set case, in its own process so its peak RSS is its
 * own: Tidemark's HTTP server (keys not required) on the cached SQLite store given by
 * `--dir`. Answers `rss` with its current and peak (VmHWM) resident set.
 */
import { readFileSync } from 'node:fs';
import { tell, untilStopped, workerArgs } from '../lib/child';
import { openBenchRuntime } from '../lib/tidemark';
import { liftAbuseLimits } from '../lib/limits';
import { answerProfileRequests } from '../lib/profile';
import { createServer } from '../../src/server';

const a = workerArgs();
liftAbuseLimits();
answerProfileRequests(tell);
const bench = await openBenchRuntime({ engine: 'sqlite', pgUrl: '', dataDir: a.dir! });
const server = await createServer(bench.rt);
const port = await server.listen(0, '127.0.0.1');
process.on('message', (m: { type?: string }) => {
  if (m?.type !== 'rss') return;
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  void tell('rss', { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 });
});
await tell('ready', { port });
await untilStopped();
await server.stop();
await bench.rt.close();
