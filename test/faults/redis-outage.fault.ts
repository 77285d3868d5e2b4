/**
 * Fault: Redis goes away and comes back. Both instances reach Redis through a TCP
 * proxy that the test cuts (connections destroyed, port closed) and restores. Runs
 * must succeed during the outage, and once Redis is back a subscriber connected to
 * instance A must again receive the status events of runs executed by instance B.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, observe, sleep, waitFor, type Workspace } from './support/workspace';
import { pushContract, pushRecords } from './support/data';
import { gql, subscribeRuns, type Subscription } from './support/client';
import { claimedByPid, count, run, runs } from './support/store';
import { TcpProxy } from './support/proxy';
import type { Instance, LogLine } from './support/instance';

const FAULT = 'Redis goes away and comes back';
const REDIS_URL = new URL(process.env.FAULTS_REDIS_URL ?? 'redis://127.0.0.1:6379');
const REDIS = { host: REDIS_URL.hostname, port: Number(REDIS_URL.port || 6379) };
/** Unique per file anyway (channels are namespaced per database: `tidemark:<database>:RUN_STATUS`). */
const CONTRACT = `pulse_${randomBytes(4).toString('hex')}`;
const RECORDS = 20;

const INGEST = `mutation($c: String!, $r: [JSON!]!) { ingest(contract: $c, records: $r) { id status rowsWritten } }`;

describe(FAULT, () => {
  let ws: Workspace;
  let proxy: TcpProxy;
  let a: Instance;
  let b: Instance;
  let sub: Subscription | undefined;
  let batch = 0;

  /** Ingests a fresh batch on `inst` and returns the finished run. */
  const ingest = async (inst: Instance) => {
    const r = await gql(
      inst.graphqlUrl,
      INGEST,
      { c: CONTRACT, r: pushRecords('s', RECORDS, ++batch) },
      { timeoutMs: 60_000 },
    );
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    return r.data.ingest as { id: string; status: string; rowsWritten: number };
  };
  const redisLog = (i: Instance, msg: string, client: string, after: number) => (l: LogLine) =>
    l.msg === msg && l.client === client && i.logs.indexOf(l) >= after;

  beforeAll(async () => {
    proxy = new TcpProxy(REDIS);
    const port = await proxy.start();
    ws = await createWorkspace('redis');
    ws.addContract('pulse.yaml', pushContract(CONTRACT));
    const env = { redisUrl: `redis://127.0.0.1:${port}` };
    a = await ws.start('a', env);
    b = await ws.start('b', env);
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await ws?.diagnose();
  });

  afterAll(async () => {
    await sub?.close();
    await ws?.dispose();
    await proxy?.close();
  });

  it('runs succeed during the outage; after it, A’s subscriber receives the events of runs executed by B', async () => {
    sub = await subscribeRuns(a.wsUrl, CONTRACT);
    // graphql-ws does not acknowledge a subscription: run on B until A's subscriber hears one.
    const heardOnA = (what: string) =>
      waitFor(
        async () => {
          const run = await ingest(b);
          return sub!
            .until((e) => e.id === run.id && e.status === 'SUCCEEDED', 3_000)
            .then(() => run)
            .catch(() => null);
        },
        30_000,
        what,
        0,
      );
    const baseline = await heardOnA('a run on B to reach the subscriber on A');
    expect(baseline.status).toBe('SUCCEEDED');
    expect(proxy.accepted).toBeGreaterThanOrEqual(4); // two clients (publish, subscribe) per instance
    // Outage.
    const mark = { a: a.logs.length, b: b.logs.length };
    const cutAt = Date.now();
    await proxy.cut();
    await a.waitForLog(
      redisLog(a, 'redis pubsub connection error', 'subscribe', mark.a),
      15_000,
      'redis error on a',
    );
    await b.waitForLog(
      redisLog(b, 'redis pubsub connection error', 'publish', mark.b),
      15_000,
      'redis error on b',
    );
    const during = [await ingest(b), await ingest(a)];
    expect(during.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const deliveredDuringOutage = sub.events.filter((e) => during.some((r) => r.id === e.id)).length;
    await sleep(5_000); // long enough for ioredis to back off between reconnect attempts

    // Back.
    const back = { a: a.logs.length, b: b.logs.length };
    await proxy.restore();
    const outageMs = Date.now() - cutAt;
    await a.waitForLog(redisLog(a, 'redis pubsub connected', 'subscribe', back.a), 20_000, 'a resubscribed');
    await b.waitForLog(redisLog(b, 'redis pubsub connected', 'publish', back.b), 20_000, 'b reconnected');
    // Resubscription happens right after the reconnect: a run on B until one reaches A (bounded).
    const after = await heardOnA('a run on B after the outage to reach the subscriber on A');
    expect(claimedByPid((await run(ws.db, after.id))!.claimed_by), 'executed by B').toBe(b.pid);
    const statuses = sub.events.filter((e) => e.id === after.id).map((e) => e.status);
    expect(statuses).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    // Nothing lost: subscribers read the durable event log, so the outage runs arrive too, once each.
    for (const r of during)
      expect(sub.events.filter((e) => e.id === r.id).map((e) => e.status)).toEqual([
        'QUEUED',
        'RUNNING',
        'SUCCEEDED',
      ]);
    const lateOutageEvents = sub.events.filter((e) => during.some((r) => r.id === e.id)).map((e) => e.status);

    // The store: every run succeeded, every record stored once.
    const all = await runs(ws.db);
    expect(all.every((r) => r.status === 'succeeded')).toBe(true);
    expect(await count(ws.db, 'SELECT count(*) AS n FROM feature_rows')).toBe(all.length * RECORDS);
    expect(sub.errors).toEqual([]);

    observe(
      FAULT,
      'both instances on Redis through a proxy; subscriber on A (runStatusChanged); proxy cut (sockets destroyed, port closed), then restored',
      `events on channel tidemark:<database>:RUN_STATUS (A's Redis client subscribed to it, none to the bare topic); outage ${(outageMs / 1000).toFixed(1)} s; ingest during it on B and on A → both SUCCEEDED (events delivered to A meanwhile: ${deliveredDuringOutage}); ` +
        `ioredis reconnected and resubscribed on its own; the next run on B reached A's subscriber as QUEUED → RUNNING → SUCCEEDED, the WebSocket stayed open; ` +
        `events of the outage runs delivered after reconnect (offline queue): ${lateOutageEvents.length ? lateOutageEvents.join(', ') : 'none'}; ` +
        `${all.length} runs, all succeeded, ${all.length * RECORDS} feature rows`,
    );
  });
});
