/**
 * `serve --role api` and `serve --role worker` as two real processes on one store (the
 * same SQLite file, or the same PostgreSQL database) and one data directory (issue 15
 * "Runs never stall reads"). An ingest through the api's GraphQL is executed by the
 * worker, never by the api: the run's recorded holder is the worker's process, only the
 * worker logs that it started it, and the api caller still gets the finished run. The
 * status events of a run the worker executed reach a subscriber on the api's WebSocket,
 * through the durable run event log. The worker answers its probes and nothing else.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/connection';
import { createWorkspace, ENGINES, observe, type Workspace } from './support/workspace';
import { gql, gqlOk, subscribeRuns } from './support/client';
import type { Instance } from './support/instance';

const FAULT = 'api and worker roles';

const SENSOR = `
name: sensor
version: 1.0.0
owner: faults
entity: { name: sensor, key: [sensor] }
eventTime: day
source: { type: push }
schema:
  - { name: day, type: date, required: true }
  - { name: sensor, type: string, required: true }
  - { name: reading, type: integer }
expectations: []
features:
  - { name: reading, column: reading }
`;

const INGEST = `mutation($r: [JSON!]!) {
  ingest(contract: "sensor", records: $r) { id status rowsRead rowsWritten error }
}`;
const READ = 'query { features(contract: "sensor", entities: ["s1"]) { entity values } }';
const RECORDS = Array.from({ length: 50 }, (_, i) => ({
  day: new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10),
  sensor: `s${i % 5}`,
  reading: i,
}));

describe.each(ENGINES)(`${FAULT} (%s)`, (engine) => {
  let ws: Workspace;
  let api: Instance;
  let worker: Instance;
  let db: Db;

  beforeAll(async () => {
    ws = await createWorkspace(`roles-${engine}`);
    ws.addContract('sensor.yaml', SENSOR);
    api = await ws.start('api', { engine, env: { TIDEMARK_ROLE: 'api' } });
    worker = await ws.start('worker', { engine, env: { TIDEMARK_ROLE: 'worker' } });
    db = openDb(
      engine === 'postgres'
        ? { engine: 'postgres', url: ws.db.url }
        : { engine: 'sqlite', filename: join(ws.dataDir, 'tidemark.sqlite') },
    );
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await ws?.diagnose();
  });
  afterAll(async () => {
    await db?.close();
    await ws?.dispose();
  });

  it('an ingest through the api is executed by the worker; its events reach the api subscriber', async () => {
    const sub = await subscribeRuns(api.wsUrl, 'sensor');
    try {
      // A first ingest's end seen on the subscription proves it live, so the next one is seen whole.
      const first = await gqlOk(api.graphqlUrl, INGEST, { r: RECORDS.slice(0, 1) }, { timeoutMs: 60_000 });
      await sub.until((e) => e.id === first.ingest.id && e.status === 'SUCCEEDED', 20_000, 'the first run');
      const data = await gqlOk(api.graphqlUrl, INGEST, { r: RECORDS }, { timeoutMs: 60_000 });
      const run = data.ingest as { id: string; status: string; rowsWritten: number; error: string | null };
      expect(run).toMatchObject({ status: 'SUCCEEDED', rowsWritten: RECORDS.length, error: null });
      await sub.until((e) => e.id === run.id && e.status === 'SUCCEEDED', 20_000, 'the SUCCEEDED event');
      expect(sub.events.filter((e) => e.id === run.id).map((e) => e.status)).toEqual([
        'QUEUED',
        'RUNNING',
        'SUCCEEDED',
      ]);
      expect(sub.errors).toEqual([]);

      // Who executed it: the claim names the worker's process, and only the worker says it started it.
      const row = (await db.knex('runs').where({ id: run.id }).first('claimed_by')) as { claimed_by: string };
      expect(row.claimed_by).toMatch(new RegExp(`:${worker.pid}$`));
      expect(row.claimed_by).not.toMatch(new RegExp(`:${api.pid}$`));
      const started = (i: Instance) => i.logs.filter((l) => l.msg === 'run started' && l.runId === run.id);
      await worker.waitForLog((l) => l.msg === 'run started' && l.runId === run.id, 10_000, 'run started');
      expect(started(api)).toEqual([]);

      // And the api serves what the worker wrote.
      const read = await gqlOk(api.graphqlUrl, READ);
      expect(read.features).toEqual([{ entity: 's1', values: { reading: 46 } }]);
      observe(
        FAULT,
        `${engine}: ingest of ${RECORDS.length} records through the api's GraphQL, subscriber on the api`,
        `run ${run.status} claimed by the worker (pid ${worker.pid}); events QUEUED, RUNNING, SUCCEEDED on the api's WebSocket`,
      );
    } finally {
      await sub.close();
    }
  }, 120_000);

  it('the worker answers /healthz, /readyz and /metrics and nothing else', async () => {
    const get = (path: string) => fetch(`${worker.baseUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
    const health = await get('/healthz');
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('tidemark_runs_total');
    const graphql = await gql(worker.graphqlUrl, READ, undefined, { timeoutMs: 10_000 });
    expect(graphql.status).toBe(404);
  }, 60_000);
});
