/**
 * A server for the online-redis case, in its own process: Tidemark's GraphQL over the
 * given SQLite data directory, with `--store sql` (today's read) or `--store redis`
 * (TIDEMARK_ONLINE_STORE=redis on `--redis`, keys under `--prefix`, synced from SQL
 * before it reports ready). Tells the parent its port and, for redis, the rebuild time.
 */
export {};

process.env.NODE_ENV = 'production';
const { tell, untilStopped, workerArgs } = await import('../lib/child');
const { loadConfig } = await import('../../src/config');
const { openRuntime } = await import('../../src/runtime');
const { createServer } = await import('../../src/server');
const { liftAbuseLimits } = await import('../lib/limits');

const a = workerArgs();
liftAbuseLimits();
const redis = a.store === 'redis';
const config = loadConfig({
  TIDEMARK_DATA_DIR: a.dataDir!,
  TIDEMARK_LOG_LEVEL: 'silent',
  ...(redis
    ? { REDIS_URL: a.redis!, TIDEMARK_ONLINE_STORE: 'redis', TIDEMARK_EVENTS_PREFIX: a.prefix! }
    : {}),
});
const rt = await openRuntime(config, { codeVersion: 'bench', sweepMs: 0 });
let rebuildMs = 0;
if (rt.online) {
  const t0 = performance.now();
  const { Redis } = await import('ioredis');
  const probe = new Redis(a.redis!);
  rt.online.start();
  // Passes fail until the store's own connection is up; ready once the rebuild has written
  // its cursor (a number: a rebuild in progress holds a marker there).
  while (!/^\d+$/.test((await probe.get(`${a.prefix!}online:cursor`)) ?? '')) {
    await rt.online.sync.syncNow();
    await new Promise((ok) => setTimeout(ok, 20));
  }
  probe.disconnect();
  rebuildMs = performance.now() - t0;
}
const server = await createServer(rt);
const port = await server.listen(0, '127.0.0.1');
await tell('ready', { port, rebuildMs });
await untilStopped();
await server.stop();
await rt.close();
process.exit(0);
