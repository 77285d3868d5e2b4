/**
 * Durable run events, with the server and a `tidemark run` in another process sharing
 * one store: on SQLite one database file, on PostgreSQL one schema. A run made by the
 * CLI reaches the server's subscriber, and a subscriber that went away during three runs
 * and resumes with its cursor gets every missed event, in order, without duplicates.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { openRuntime, type Runtime } from '../../src/runtime';
import { loadContractFiles } from '../../src/contracts/load';
import { silentLogger } from '../../src/observability/logger';
import { createCliHome, type CliHome } from '../support/cli';
import { testEngine } from '../support/engine';
import { startServer, type TestServer } from '../support/graphql';
import type { TestRuntime } from '../support/runtime';

const Q = `subscription($after: String) {
  runStatusChanged(contract: "country_daily", after: $after) { id status eventCursor rowsWritten }
}`;
interface Ev {
  runStatusChanged: { id: string; status: string; eventCursor: string; rowsWritten: number };
}

describe(`durable run events (${testEngine()}, CLI process)`, () => {
  let home: CliHome;
  let rt: Runtime;
  let s: TestServer;
  const cliRun = async () => {
    const r = await home.cli(['run', 'country_daily', '--force']);
    expect(r.code, r.stderr).toBe(0);
  };

  beforeAll(async () => {
    // The CLI child and this server read the same configuration: data directory, and on
    // PostgreSQL the same fresh schema (DATABASE_URL carries it as search_path).
    home = await createCliHome();
    home.land('country_daily/2020-q1.csv');
    home.land('country_daily/2020-q2.csv');
    const config = loadConfig({ ...home.env, TIDEMARK_LOG_LEVEL: 'silent' });
    rt = await openRuntime(config, { logger: silentLogger(), sweepMs: 0 });
    await rt.contracts.apply(await loadContractFiles([home.contractsDir]), 'system:test');
    s = await startServer(rt as TestRuntime);
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    await rt?.close();
    await home?.dispose();
  });

  it('a run made by `tidemark run` in another process reaches the server subscriber', async () => {
    // A fresh store: after "0" is everything from the start, whether it arrives by replay or live.
    const sub = await s.subscribe<Ev>(Q, { after: '0' });
    await cliRun();
    const events = await sub.until((es) => es.some((e) => e.runStatusChanged.status === 'SUCCEEDED'));
    const statuses = events.map((e) => e.runStatusChanged.status);
    expect(statuses).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    const cursors = events.map((e) => Number(e.runStatusChanged.eventCursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
  }, 60_000);

  it('a subscriber resuming with its cursor gets the three runs it missed, in order, once each', async () => {
    const first = await s.subscribe<Ev>(Q, { after: '0' });
    const seen = await first.until((es) => es.some((e) => e.runStatusChanged.status === 'SUCCEEDED'));
    const cursor = seen.at(-1)!.runStatusChanged.eventCursor;
    first.unsubscribe();
    for (let i = 0; i < 3; i++) await cliRun();
    const resumed = await s.subscribe<Ev>(Q, { after: cursor });
    const events = await resumed.until(
      (es) => es.filter((e) => e.runStatusChanged.status === 'SUCCEEDED').length >= 3,
    );
    const all = resumed.events;
    const cursors = all.map((e) => Number(e.runStatusChanged.eventCursor));
    expect(cursors.every((c) => c > Number(cursor))).toBe(true);
    expect(cursors).toEqual([...new Set(cursors)].sort((a, b) => a - b));
    expect(all.map((e) => e.runStatusChanged.status)).toEqual(
      Array(3).fill(['QUEUED', 'RUNNING', 'SUCCEEDED']).flat(),
    );
    expect(new Set(events.map((e) => e.runStatusChanged.id)).size).toBe(3);
  }, 120_000);

  it("the server's /metrics counts a run made by `tidemark run` in another process, once", async () => {
    const succeeded = async (): Promise<number> => {
      const res = await request(s.server.httpServer).get('/metrics');
      expect(res.status).toBe(200);
      const line = res.text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('tidemark_runs_total{') &&
            l.includes('contract="country_daily"') &&
            l.includes('status="succeeded"') &&
            l.includes('trigger="manual"'),
        );
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    // Every manual run of this store so far was made after the server started (the other
    // tests' and this one's): the counter must equal the store's count, each counted once.
    const stored = async (): Promise<number> => {
      const d = await s.ok<{ runs: { totalCount: number } }>(
        '{ runs(contract: "country_daily", trigger: "manual", status: SUCCEEDED) { totalCount } }',
      );
      return d.runs.totalCount;
    };
    await cliRun();
    const want = await stored();
    expect(want).toBeGreaterThan(0);
    const deadline = Date.now() + 20_000;
    while ((await succeeded()) < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await succeeded()).toBe(want);
    // The reader has seen every event of those runs by now: nothing more arrives to count one twice.
    await new Promise((r) => setTimeout(r, 600));
    expect(await succeeded()).toBe(want);
  }, 60_000);

  it("a run the sweep of another instance fails as interrupted reaches the server's subscriber", async () => {
    // Another instance on the same store finds a run whose process died (its lease lapsed).
    const other = await openRuntime(loadConfig({ ...home.env, TIDEMARK_LOG_LEVEL: 'silent' }), {
      logger: silentLogger(),
      sweepMs: 0,
      instanceId: 'sweeper',
    });
    try {
      const [done] = (await rt.store.runs.list({ contract: 'country_daily' }, 1)).runs;
      const orphan = await other.executor.enqueue({
        contract: await other.registry.resolve('country_daily', undefined, 'dev'),
        environment: 'dev',
        trigger: 'manual',
        rawBatches: await other.store.rawBatches.forRun(done!.id),
        actor: 'test',
      });
      const sub = await s.subscribe<Ev>(Q, {});
      const now = Date.now();
      expect(await other.store.runs.claim(orphan, 'dead-instance', now - 120_000, now - 60_000)).toBe(true);
      await other.dispatcher.sweep();
      const events = await sub.until((es) =>
        es.some((e) => e.runStatusChanged.id === orphan.id && e.runStatusChanged.status === 'FAILED'),
      );
      expect(
        events.filter((e) => e.runStatusChanged.id === orphan.id).map((e) => e.runStatusChanged.status),
      ).toEqual(['RUNNING', 'FAILED']);
    } finally {
      await other.close();
    }
  }, 60_000);
});
