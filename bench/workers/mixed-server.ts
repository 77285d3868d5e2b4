/**
 * A server for the reads-under-ingest case over a copy of the loaded feature store, as
 * `serve --role <role>` runs it (`--role`, default all):
 *
 * - `all`: Tidemark's GraphQL and, on its run thread, its dispatcher, in one process. On
 *   `ingest` it runs the big CSV through the ingest contract in that same process.
 * - `api`: GraphQL only. On `ingest` it queues the run (acquiring the file, as
 *   `triggerRun` does) and waits until a worker finished it.
 * - `worker`: no HTTP; executes the runs an api process queued on the same database.
 *
 * It reports when the run ended and how long its own event loop was blocked meanwhile.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

process.env.NODE_ENV = 'production';
const { tell, untilStopped, workerArgs } = await import('../lib/child');
const { openBenchRuntime, applyContracts } = await import('../lib/tidemark');
const { createServer } = await import('../../src/server');
const { liftAbuseLimits } = await import('../lib/limits');
const { INGEST_CONTRACT } = await import('../data/ingest-data');
const { parseRole } = await import('../../src/config');
const { RunThread } = await import('../../src/cli/run-thread');
const { yieldToRequests } = await import('../../src/lib/run-priority');

const a = workerArgs();
const role = parseRole(a.role || 'all');
liftAbuseLimits();
// `all` as `serve` runs it: this thread serves and queues, the run thread executes.
const bench = await openBenchRuntime({
  engine: 'sqlite',
  pgUrl: '',
  dataDir: a.dataDir!,
  role: role === 'all' ? 'api' : role,
});
const { rt } = bench;
// As `serve --role worker` does (the run thread of `all` does it itself).
if (role === 'worker') yieldToRequests(rt.config.runNice, rt.logger);
if (role !== 'worker') await applyContracts(rt, [INGEST_CONTRACT]);
const thread = role === 'all' ? await RunThread.start(rt) : null;
await rt.dispatcher.start();
const server = role === 'worker' ? null : await createServer(rt);
const port = server ? await server.listen(0, '127.0.0.1') : 0;
// The loop's delay since the last `loop` question: with no run here, what the machine's load costs it.
const idle = monitorEventLoopDelay({ resolution: 10 });
idle.enable();
process.on('message', (m: { type?: string }) => {
  if (m?.type !== 'loop') return;
  void tell('loop', { p99: idle.percentile(99) / 1e6, max: idle.max / 1e6 });
  idle.reset();
});
process.on('message', (m: { type?: string; csv?: string }) => {
  if (m?.type !== 'ingest') return;
  void (async () => {
    const landing = join(rt.config.landingDir, 'bench_ingest');
    await mkdir(landing, { recursive: true });
    await copyFile(m.csv!, join(landing, 'data.csv'));
    // How long the event loop was blocked at a stretch: what a run costs every request.
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const t0 = performance.now();
    const run = await rt.runs.trigger({ contract: 'bench_ingest', environment: 'dev', actor: 'bench' });
    loop.disable();
    await tell('ingested', {
      ms: performance.now() - t0,
      status: run.status,
      error: run.error,
      counts: run.counts,
      loopDelayMs: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    });
  })();
});
await tell('ready', { port });
await untilStopped();
await server?.stop();
await thread?.stop();
await bench.dispose();
process.exit(0);
