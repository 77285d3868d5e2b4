/**
 * Fault: the database is unreachable for a while. The instance reaches PostgreSQL
 * through a TCP proxy; the shared server itself is never touched. Two ways to lose it:
 *
 *  - cut: connections reset and new ones refused (the server or its host went down);
 *  - blackhole: connections stay open but nothing comes back (a network partition,
 *    a firewall dropping packets, a failover behind a load balancer).
 *
 * Either way the API must answer with a clear error (UNAVAILABLE, "retry later") within a bounded time (never
 * hang), /readyz must say 503, a run caught by the outage must fail cleanly and be
 * retried once the database is back, and nothing half-written may remain.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, observe, sleep, waitFor, type Workspace } from './support/workspace';
import {
  metersContract,
  metersCsv,
  pushContract,
  pushRecords,
  validRows,
  writeMetersCsv,
  type CsvSpec,
} from './support/data';
import { codes, gql, type GqlResult } from './support/client';
import { commitInFlight, count, leftovers, run, runs } from './support/store';
import { viaProxy } from './support/pg';
import { TcpProxy } from './support/proxy';
import type { Instance } from './support/instance';

const FAULT = 'database unreachable for a while';
/** A liveness bound, not a speed assertion: an answer must come at all. */
// Above the server's 15 s PostgreSQL query timeout: the bound proves an answer, not speed.
const ANSWER_WITHIN_MS = 20_000;
const CSV: CsvSpec = { rows: 60_000, entities: 2_000, rejectEvery: 1_000 };
const INGEST = `mutation($r: [JSON!]!) { ingest(contract: "pings", records: $r) { id status rowsWritten } }`;

/** What an answer (or its absence) looked like, for the report. */
function describeAnswer(r: GqlResult | { error: string; ms: number }): string {
  if ('error' in r) return `no answer (${r.error}) after ${(r.ms / 1000).toFixed(1)} s`;
  const e = r.errors?.[0];
  const data = r.data ? Object.values(r.data as Record<string, { status?: string }>)[0] : null;
  const what = e ? `${e.extensions?.code}: "${e.message}"` : data?.status ? `run ${data.status}` : 'data';
  return `HTTP ${r.status} in ${(r.ms / 1000).toFixed(1)} s, ${what}`;
}

async function timed(url: string, query: string, variables?: Record<string, unknown>) {
  const t0 = Date.now();
  // The client waits longer than the bound, so a late answer is measured rather than cut off.
  return gql(url, query, variables, { timeoutMs: ANSWER_WITHIN_MS + 10_000 }).catch((err: Error) => ({
    error: err.message,
    ms: Date.now() - t0,
  }));
}

/** Files in the raw store (content-addressed blobs). */
function rawBlobs(dataDir: string): number {
  return readdirSync(join(dataDir, 'raw'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .length;
}

async function probe(url: string): Promise<{ status: number; ms: number; body: string }> {
  const t0 = Date.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS + 10_000) });
    return { status: res.status, ms: Date.now() - t0, body: (await res.text()).slice(0, 200) };
  } catch (err) {
    return { status: 0, ms: Date.now() - t0, body: (err as Error).message };
  }
}

describe(FAULT, () => {
  let ws: Workspace;
  let proxy: TcpProxy;
  let a: Instance;
  let batch = 0;

  beforeAll(async () => {
    ws = await createWorkspace('db');
    ws.addContract('meters.yaml', metersContract('meters', 'meters'));
    ws.addContract('pings.yaml', pushContract('pings'));
    ws.addContract('drops.yaml', metersContract('drops', 'drops', 'schedule: { onArrival: true }\n'));
    proxy = new TcpProxy({ host: ws.db.host, port: ws.db.port });
    const port = await proxy.start();
    a = await ws.start('a', {
      databaseUrl: viaProxy(ws.db.url, port),
      env: { TIDEMARK_RUN_LEASE_MS: '2000', TIDEMARK_SWEEP_MS: '500' },
    });
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await ws?.diagnose();
    // A failed test must not leave the next one without its database.
    await proxy?.restore();
  });

  afterAll(async () => {
    await ws?.dispose();
    await proxy?.close();
  });

  it('cut: bounded errors and 503 while down; the run caught mid-commit fails cleanly and its retry succeeds', async () => {
    const baseline = await gql(a.graphqlUrl, INGEST, { r: pushRecords('p', 10, ++batch) });
    expect(baseline.data?.ingest.status).toBe('SUCCEEDED');
    await writeMetersCsv(join(ws.landingDir, 'meters', 'big.csv'), CSV);
    const before = await ws.db.counts();

    // A run caught by the outage inside its commit transaction.
    const triggered = timed(a.graphqlUrl, 'mutation { triggerRun(contract: "meters") { id status error } }');
    const caught = await waitFor(
      async () => (await runs(ws.db, "status = 'running' AND contract_name = 'meters'"))[0],
      60_000,
      'the CSV run to start',
    );
    await waitFor(() => commitInFlight(ws.db), 60_000, 'its commit transaction', 20);
    const cutAt = Date.now();
    await proxy.cut();

    // While down: every answer within the bound, with a code; readiness says 503; the process lives.
    const query = await timed(a.graphqlUrl, '{ runs(first: 5) { totalCount } }');
    const records = pushRecords('p', 10, ++batch);
    const blobsBefore = rawBlobs(ws.dataDir);
    const ingest = await timed(a.graphqlUrl, INGEST, { r: records });
    const orphanBlobs = rawBlobs(ws.dataDir) - blobsBefore;
    const readyz = await probe(`${a.baseUrl}/readyz`);
    const healthz = await probe(`${a.baseUrl}/healthz`);
    for (const r of [query, ingest]) {
      expect('error' in r, describeAnswer(r)).toBe(false);
      const g = r as GqlResult;
      expect(g.ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect(g.errors?.length, describeAnswer(g)).toBeGreaterThan(0);
      expect(codes(g), describeAnswer(g)).toEqual(['UNAVAILABLE']);
      expect(g.errors![0]!.message).toMatch(/^the database is unreachable .*; retry later$/);
    }
    expect(readyz.status).toBe(503);
    expect(readyz.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(healthz.status).toBe(503);
    await sleep(Math.max(0, 6_000 - (Date.now() - cutAt)));
    expect(a.alive()).toBe(true);

    await proxy.restore();
    const outageMs = Date.now() - cutAt;
    const readyAgain = await waitFor(
      async () => ((await probe(`${a.baseUrl}/readyz`)).status === 200 ? Date.now() : null),
      30_000,
      '/readyz 200 again',
    );

    // The caught run: failed, no feature row or edge of it stored (it keeps what it measured:
    // its rejects, written with its failure); its retry succeeded with every valid row once.
    const failed = await waitFor(
      async () => {
        const r = await run(ws.db, caught.id);
        return r && r.status !== 'running' ? r : null;
      },
      30_000,
      'the caught run to end',
    );
    expect(failed.status).toBe('failed');
    // Its own instance recorded why (it retries writing the failure), not the sweep's "interrupted".
    expect(failed.error_kind, failed.error ?? '').toBe('transient');
    expect(failed.error).toMatch(/^the database is unreachable \(/);
    expect(await leftovers(ws.db, caught.id)).toEqual({
      features: 0,
      rejects: CSV.rows - validRows(CSV),
      lineage: 0,
    });
    const retry = await waitFor(
      async () => {
        const [r] = await runs(ws.db, "parent_run_id = $1 AND status IN ('succeeded', 'failed')", [
          caught.id,
        ]);
        return r;
      },
      60_000,
      'the retry to finish',
    );
    expect(retry.trigger).toBe('retry');
    expect(retry.status, retry.error ?? '').toBe('succeeded');
    const valid = validRows(CSV);
    expect(
      await count(
        ws.db,
        "SELECT count(*) AS n FROM feature_rows WHERE view_id IN (SELECT id FROM feature_views WHERE contract_name = 'meters')",
      ),
    ).toBe(valid);
    expect(
      await count(
        ws.db,
        "SELECT count(*) AS n FROM (SELECT DISTINCT entity_key, event_time FROM feature_rows WHERE view_id IN (SELECT id FROM feature_views WHERE contract_name = 'meters')) d",
      ),
    ).toBe(valid);

    // The ingest refused during the outage left nothing: the same records go in now, as new.
    const after = await ws.db.counts();
    expect(after.runs).toBe(before.runs + 2); // the caught run and its retry, nothing else
    expect(after.raw_batches).toBe(before.raw_batches + 1); // the CSV
    const again = await gql(a.graphqlUrl, INGEST, { r: records });
    expect(again.errors, JSON.stringify(again.errors)).toBeUndefined();
    expect(again.data.ingest.status).toBe('SUCCEEDED');
    const caller = await triggered;

    observe(
      FAULT,
      `cut: proxy between the instance and PostgreSQL destroys its connections and closes its port for ${(outageMs / 1000).toFixed(1)} s, while a ${CSV.rows}-row run is inside its commit transaction`,
      `query → ${describeAnswer(query)}; ingest → ${describeAnswer(ingest)}; /readyz → ${readyz.status} in ${(readyz.ms / 1000).toFixed(1)} s; /healthz → ${healthz.status}; ` +
        `instance stayed up; /readyz 200 again ${((readyAgain - cutAt - outageMs) / 1000).toFixed(1)} s after restore; ` +
        `caught run → failed (${failed.error_kind}: "${(failed.error ?? '').slice(0, 90)}"), 0 rows of it stored; retry (attempt ${retry.attempt}) → succeeded, ${valid} rows once; ` +
        `the refused ingest stored nothing in the database (the same records were accepted as new afterwards)` +
        `${orphanBlobs ? ` but left ${orphanBlobs} content-addressed file(s) in data/raw with no raw_batches row` : ''}; triggerRun caller: ${describeAnswer(caller)}`,
    );
  });

  it('a file that arrives while the database is down is run once it is back', async () => {
    const spec: CsvSpec = { rows: 100, entities: 10, rejectEvery: 0 };
    const mark = a.logs.length;
    const cutAt = Date.now();
    await proxy.cut();
    ws.land('drops/late.csv', metersCsv(spec));
    const attempt = await a.waitForLog(
      (l) => l.contract === 'drops' && l.trigger === 'arrival' && a.logs.indexOf(l) >= mark,
      15_000,
      'the arrival trigger',
    );
    await sleep(Math.max(0, 5_000 - (Date.now() - cutAt)));
    await proxy.restore();
    // Bounded: well past a lease, a sweep and a retry backoff.
    const ran = await waitFor(
      async () => (await runs(ws.db, "contract_name = 'drops' AND status = 'succeeded'"))[0],
      20_000,
      'a run of the file that arrived during the outage',
    ).catch(() => null);
    observe(
      FAULT,
      'a file lands (arrival trigger, no cron) while the database is cut for 5 s',
      `the arrival trigger during the outage logged "${attempt.msg}"${attempt.err ? ` (${(attempt.err as { message?: string }).message?.slice(0, 60)})` : ''}; ` +
        (ran
          ? `after restore the file was run (${ran.trigger}, ${ran.rows_written} rows)`
          : 'nothing ran it within 20 s after restore: the arrival is lost until another trigger (cron, manual, restart scan)'),
    );
    expect(ran, 'the file that arrived during the outage was never run').not.toBeNull();
    expect(ran!.rows_written).toBe(validRows(spec));
  });

  it('an instance started while the database is down waits for it and comes up once it is back', async () => {
    await proxy.cut();
    const downFor = 3_000;
    const restoring = sleep(downFor).then(() => proxy.restore());
    const t0 = Date.now();
    // A second instance on the same store; the first is left alone (its own connections are cut too).
    const late = await ws.start('late', {
      databaseUrl: viaProxy(ws.db.url, proxy.port),
      env: { TIDEMARK_SWEEP_MS: '500' },
    });
    const upAfter = Date.now() - t0;
    await restoring;
    const retries = late.logs.filter((l) => l.msg === 'database unavailable at start-up; retrying');
    expect(retries.length, late.tail()).toBeGreaterThan(0);
    expect(retries[0]).toMatchObject({ level: 'warn', step: 'migrations' });
    expect(String(retries[0]!.error)).toMatch(/^the database is unreachable/);
    expect(upAfter).toBeGreaterThanOrEqual(downFor - 500);
    const answer = await gql(late.graphqlUrl, '{ runs(first: 1) { totalCount } }');
    expect(answer.errors).toBeUndefined();
    observe(
      FAULT,
      `\`tidemark serve\` started while the proxy refuses every connection, restored after ${downFor / 1000} s`,
      `it logged "database unavailable at start-up; retrying" ${retries.length} times (step ${retries[0]!.step}), answered /healthz ${(upAfter / 1000).toFixed(1)} s after its start, and served GraphQL; before, it exited at the first refused connection`,
    );
  });

  it('blackhole: requests answer with an error within the bound instead of hanging; service resumes after', async () => {
    const ok = await gql(a.graphqlUrl, '{ runs(first: 1) { totalCount } }');
    expect(ok.errors).toBeUndefined();
    const before = await ws.db.counts();
    const holeAt = Date.now();
    await proxy.blackhole();

    const [query, ingest, readyz, healthz] = await Promise.all([
      timed(a.graphqlUrl, '{ runs(first: 5) { totalCount } }'),
      timed(a.graphqlUrl, INGEST, { r: pushRecords('p', 10, ++batch) }),
      probe(`${a.baseUrl}/readyz`),
      probe(`${a.baseUrl}/healthz`),
    ]);
    const heldMs = Date.now() - holeAt;
    await proxy.restore();
    const readyAgain = await waitFor(
      async () => ((await probe(`${a.baseUrl}/readyz`)).status === 200 ? Date.now() : null),
      60_000,
      '/readyz 200 again',
    );
    const resumed = await timed(a.graphqlUrl, '{ runs(first: 1) { totalCount } }');

    // Whatever the requests caught by the blackhole did, they left nothing behind.
    await waitFor(
      async () =>
        (await count(ws.db, "SELECT count(*) AS n FROM runs WHERE status IN ('queued', 'running')")) === 0,
      30_000,
      'no run left queued or running',
    );
    const after = await ws.db.counts();
    const fresh = (await runs(ws.db)).slice(before.runs);
    // Each run the caught requests stored is whole: succeeded with all its rows, or failed with none.
    for (const r of fresh) {
      const left = await leftovers(ws.db, r.id);
      if (r.status === 'succeeded') expect(left.features).toBe(r.rows_written);
      else expect(left).toEqual({ features: 0, rejects: 0, lineage: 0 });
    }
    expect(after.feature_rows - before.feature_rows).toBe(
      fresh.filter((r) => r.status === 'succeeded').reduce((s, r) => s + r.rows_written, 0),
    );
    expect(after.runs - before.runs).toBe(after.audit_log - before.audit_log); // a run only with its audit entry
    observe(
      FAULT,
      `blackhole: proxy keeps the instance's connections open but forwards nothing (and accepts new ones) for ${(heldMs / 1000).toFixed(1)} s`,
      `query → ${describeAnswer(query)}; ingest → ${describeAnswer(ingest)}; /readyz → ${readyz.status} in ${(readyz.ms / 1000).toFixed(1)} s; /healthz → ${healthz.status || healthz.body} after ${(healthz.ms / 1000).toFixed(1)} s; ` +
        `after restore: /readyz 200 in ${((readyAgain - holeAt - heldMs) / 1000).toFixed(1)} s, query → ${describeAnswer(resumed)}; ` +
        `runs stored by the caught requests: ${fresh.map((r) => `${r.trigger} ${r.status}`).join(', ') || 'none'}, feature rows: ${after.feature_rows - before.feature_rows}`,
    );
    expect(readyz.status).toBe(503);
    expect('error' in resumed ? resumed.error : resumed.errors).toBeUndefined();
    // The liveness bound, last, so that a hang is reported together with everything above.
    for (const r of [query, ingest]) {
      expect('error' in r, `no answer within ${ANSWER_WITHIN_MS} ms: ${describeAnswer(r)}`).toBe(false);
      expect((r as GqlResult).ms, describeAnswer(r)).toBeLessThan(ANSWER_WITHIN_MS);
      expect((r as GqlResult).errors?.length, describeAnswer(r)).toBeGreaterThan(0);
      expect(codes(r as GqlResult), describeAnswer(r)).toEqual(['UNAVAILABLE']);
    }
  });
});
