/**
 * runs(hasRejects, succeededWithWarnings) and Run.warnings over HTTP: the Runs page of
 * the console filters on them in the store, so a page of runs is a page of matches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { startServer, type TestServer } from '../support/graphql';

/** level must be ≥ 0 (else the row is rejected); a mean above 50 only warns; fewer than 2 rows fails. */
const GAUGES = `
name: gauges
version: 1.0.0
owner: tests
entity: { name: gauge, key: [gauge] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: gauge, type: string, required: true }
  - { name: level, type: number, required: true, minimum: 0 }
expectations:
  - { expect: mean_between, column: level, max: 50, severity: warn }
  - { expect: row_count_between, min: 2, severity: fail }
features:
  - { name: level, column: level }
`;

const INGEST = `mutation($r: [JSON!]!) { ingest(contract: "gauges", records: $r) { id status warnings rowsRejected } }`;
const RUNS = `query($hasRejects: Boolean, $succeededWithWarnings: Boolean, $status: RunStatus, $first: Int, $after: String) {
  runs(hasRejects: $hasRejects, succeededWithWarnings: $succeededWithWarnings, status: $status, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id warnings }
  }
}`;

const row = (gauge: string, level: number) => ({ ts: '2024-01-01T00:00:00Z', gauge, level });

describe(`runs: rejects and warnings filters (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [GAUGES] });
    s = await startServer(rt);
    const ingest = async (name: string, records: unknown[]) => {
      rt.clock.advance(60_000);
      const run = (await s.ok(INGEST, { r: records })).ingest;
      ids[name] = run.id;
      return run;
    };
    expect(await ingest('clean', [row('a', 1), row('b', 2)])).toMatchObject({
      status: 'SUCCEEDED',
      warnings: 0,
      rowsRejected: 0,
    });
    expect(await ingest('warned', [row('a', 80), row('b', 90)])).toMatchObject({
      status: 'SUCCEEDED',
      warnings: 1,
      rowsRejected: 0,
    });
    expect(await ingest('rejecting', [row('a', 1), row('b', 2), row('c', -1)])).toMatchObject({
      status: 'SUCCEEDED',
      warnings: 0,
      rowsRejected: 1,
    });
    expect(await ingest('warnedRejecting', [row('a', 70), row('b', 90), row('c', -5)])).toMatchObject({
      status: 'SUCCEEDED',
      warnings: 1,
      rowsRejected: 1,
    });
    // One row: fails row_count_between, and its mean (99) breaks the warn expectation too.
    expect(await ingest('failedWarned', [row('a', 99)])).toMatchObject({ status: 'FAILED', warnings: 1 });
  });
  afterAll(async () => {
    await s?.close();
    await rt?.dispose();
  });

  const list = async (vars: Record<string, unknown>) =>
    (await s.ok(RUNS, { first: 50, ...vars })).runs as {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      nodes: Array<{ id: string; warnings: number }>;
    };

  it('hasRejects: true keeps runs that rejected rows, false the others', async () => {
    const yes = await list({ hasRejects: true });
    expect(yes.nodes.map((n) => n.id)).toEqual([ids.warnedRejecting, ids.rejecting]);
    expect(yes.totalCount).toBe(2);
    const no = await list({ hasRejects: false });
    expect(no.nodes.map((n) => n.id)).toEqual([ids.failedWarned, ids.warned, ids.clean]);
  });

  it('succeededWithWarnings: true keeps succeeded runs with warnings only (not the failed one)', async () => {
    const yes = await list({ succeededWithWarnings: true });
    expect(yes.nodes.map((n) => n.id)).toEqual([ids.warnedRejecting, ids.warned]);
    expect(yes.nodes.every((n) => n.warnings === 1)).toBe(true);
    const no = await list({ succeededWithWarnings: false });
    expect(no.nodes.map((n) => n.id)).toEqual([ids.failedWarned, ids.rejecting, ids.clean]);
  });

  it('combines with the other filters and pages with cursors over the filtered runs', async () => {
    const both = await list({ succeededWithWarnings: true, hasRejects: true });
    expect(both.nodes.map((n) => n.id)).toEqual([ids.warnedRejecting]);
    expect((await list({ succeededWithWarnings: true, status: 'FAILED' })).totalCount).toBe(0);

    const first = await list({ succeededWithWarnings: true, first: 1 });
    expect(first).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    const second = await list({ succeededWithWarnings: true, first: 1, after: first.pageInfo.endCursor });
    expect(second.nodes.map((n) => n.id)).toEqual([ids.warned]);
    expect(second.pageInfo.hasNextPage).toBe(false);
  });

  it('treats an explicit null as not given', async () => {
    expect((await list({ hasRejects: null, succeededWithWarnings: null })).totalCount).toBe(5);
  });
});
