/**
 * runs (filters, keyset cursors, totalCount) and run(id) (validation report,
 * paginated rejects, raw batches, parent and children) over HTTP, and the
 * DataLoader batching that keeps nested run fields from querying per row.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import {
  cardRecords,
  expectError,
  landCountryDaily,
  repoFile,
  startServer,
  type TestServer,
} from '../support/graphql';

const STRICT = `
name: strict
version: 1.0.0
owner: tests
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
expectations:
  - { expect: row_count_between, min: 1000, severity: fail }
features:
  - { name: item, column: item }
`;

const INGEST = `mutation($c: String!, $r: [JSON!]!, $e: String) { ingest(contract: $c, records: $r, environment: $e) { id status queuedAt } }`;
const RUNS = `query($contract: String, $status: RunStatus, $environment: String, $trigger: String, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
  runs(contract: $contract, status: $status, environment: $environment, trigger: $trigger, from: $from, to: $to, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id contract environment trigger status }
  }
}`;

type Node = { id: string; contract: string; environment: string; trigger: string; status: string };

describe(`runs: filters and cursors (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  /** Card runs in dev, in creation order, with their queue times. */
  const cardRuns: Array<{ id: string; queuedAt: string }> = [];
  let manualRun: string;
  let failedRun: string;
  let testEnvRun: string;

  beforeAll(async () => {
    rt = await createTestRuntime({
      contracts: [
        repoFile('contracts/card_transactions.yaml'),
        repoFile('contracts/country_daily.yaml'),
        STRICT,
      ],
    });
    s = await startServer(rt);
    const records = cardRecords();
    for (let i = 0; i < 7; i++) {
      // Every other run shares its queue time with the one before: the cursor must break ties.
      if (i % 2 === 0) rt.clock.advance(60_000);
      const run = (await s.ok(INGEST, { c: 'card_transactions', r: records.slice(i * 10, i * 10 + 10) }))
        .ingest;
      expect(run.status).toBe('SUCCEEDED');
      cardRuns.push(run);
    }
    rt.clock.advance(60_000);
    await landCountryDaily(rt);
    manualRun = (await s.ok(`mutation { triggerRun(contract: "country_daily") { id } }`)).triggerRun.id;
    failedRun = (await s.ok(INGEST, { c: 'strict', r: [{ ts: '2024-01-01T00:00:00Z', item: 'a' }] })).ingest
      .id;
    await s.ok(
      `mutation { promoteContract(name: "card_transactions", version: "1.0.0", to: "test") { name } }`,
    );
    testEnvRun = (await s.ok(INGEST, { c: 'card_transactions', r: records.slice(100, 110), e: 'test' }))
      .ingest.id;
  });
  afterAll(async () => {
    await s?.close();
    await rt?.dispose();
  });

  const runs = async (vars: Record<string, unknown>) =>
    (await s.ok(RUNS, vars)).runs as {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: Node[];
    };
  const ids = (nodes: Node[]) => nodes.map((n) => n.id);

  it('lists every run, newest first', async () => {
    const all = await runs({ first: 50 });
    expect(all.totalCount).toBe(10);
    expect(ids(all.nodes)).toEqual([
      testEnvRun,
      failedRun,
      manualRun,
      ...cardRuns.map((r) => r.id).reverse(),
    ]);
    expect(all.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by contract, status, environment and trigger', async () => {
    const card = await runs({ contract: 'card_transactions', first: 50 });
    expect(card.totalCount).toBe(8);
    expect(card.nodes.every((n) => n.contract === 'card_transactions')).toBe(true);

    const failed = await runs({ status: 'FAILED' });
    expect(failed).toMatchObject({
      totalCount: 1,
      nodes: [{ id: failedRun, status: 'FAILED', contract: 'strict' }],
    });
    expect((await runs({ status: 'SUCCEEDED', first: 50 })).totalCount).toBe(9);

    const inTest = await runs({ environment: 'test' });
    expect(inTest).toMatchObject({ totalCount: 1, nodes: [{ id: testEnvRun, environment: 'test' }] });

    const manual = await runs({ trigger: 'manual' });
    expect(manual).toMatchObject({
      totalCount: 1,
      nodes: [{ id: manualRun, trigger: 'manual', contract: 'country_daily' }],
    });

    const combined = await runs({
      contract: 'card_transactions',
      environment: 'dev',
      trigger: 'push',
      status: 'SUCCEEDED',
      first: 50,
    });
    expect(ids(combined.nodes)).toEqual(cardRuns.map((r) => r.id).reverse());
  });

  it('filters by queue time: from inclusive, to exclusive', async () => {
    // Card runs 2 and 3 share a queue time; so do 4 and 5.
    const from = cardRuns[2]!.queuedAt;
    const to = cardRuns[6]!.queuedAt;
    const window = await runs({ from, to, first: 50 });
    expect(ids(window.nodes)).toEqual([cardRuns[5]!.id, cardRuns[4]!.id, cardRuns[3]!.id, cardRuns[2]!.id]);
    expect(window.totalCount).toBe(4);
  });

  it('pages with cursors over three pages without duplicates or gaps', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const pages: number[] = [];
    for (;;) {
      const page = await runs({ contract: 'card_transactions', environment: 'dev', first: 3, after });
      expect(page.totalCount).toBe(7);
      pages.push(page.nodes.length);
      seen.push(...ids(page.nodes));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toEqual([3, 3, 1]);
    expect(seen).toEqual(cardRuns.map((r) => r.id).reverse());
  });

  it('refuses a cursor it did not issue, a page size out of range, an unknown trigger or status', async () => {
    expectError(
      await s.gql(RUNS, { after: 'not-a-cursor' }),
      'BAD_USER_INPUT',
      /after: 'not-a-cursor' is not a cursor returned by runs/,
    );
    expectError(
      await s.gql(RUNS, { after: Buffer.from('["x",1]').toString('base64url') }),
      'BAD_USER_INPUT',
      /not a cursor/,
    );
    expectError(await s.gql(RUNS, { first: 0 }), 'BAD_USER_INPUT', /first must be between 1 and 500/);
    expectError(await s.gql(RUNS, { first: 501 }), 'BAD_USER_INPUT', /first must be between 1 and 500/);
    expectError(await s.gql(RUNS, { trigger: 'cron' }), 'BAD_USER_INPUT', /trigger must be one of/);
    expectError(await s.gql(RUNS, { environment: 'qa' }), 'BAD_USER_INPUT', /environment must be one of/);
    expectError(await s.gql(RUNS, { status: 'DONE' }), 'BAD_USER_INPUT', /RunStatus/);
  });
});

const RUN = `query($id: ID!, $first: Int!, $offset: Int!) {
  run(id: $id) {
    id status contractVersion codeVersion rowsRead rowsRejected
    validation { success statistics { evaluatedExpectations successfulExpectations unsuccessfulExpectations } results { expect column severity success unexpectedCount } }
    rejects(first: $first, offset: $offset) { totalCount nodes { rowNumber rawBatchId raw reasons { rule column message } } }
    rawBatches { id sha256 sourceType sourceUri rowCount sizeBytes }
    parent { id } children { id status }
  }
}`;

describe(`run(id) (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  let runId: string;

  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [repoFile('contracts/country_daily.yaml')] });
    s = await startServer(rt);
    await landCountryDaily(rt);
    runId = (await s.ok(`mutation { triggerRun(contract: "country_daily") { id } }`)).triggerRun.id;
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  const run = async (id: string, first = 5, offset = 0) => (await s.ok(RUN, { id, first, offset })).run;

  it('answers counts, the validation report, raw batches and code version', async () => {
    const r = await run(runId);
    expect(r).toMatchObject({
      id: runId,
      status: 'SUCCEEDED',
      contractVersion: '1.0.0',
      codeVersion: 'test',
      rowsRead: 3600,
      rowsRejected: 12,
      parent: null,
      children: [],
    });
    expect(r.validation.success).toBe(true);
    expect(r.validation.statistics.evaluatedExpectations).toBe(r.validation.results.length);
    const byExpect = Object.fromEntries(r.validation.results.map((x: { expect: string }) => [x.expect, x]));
    expect(byExpect.schema).toMatchObject({ severity: 'reject', success: false, unexpectedCount: 12 });
    expect(byExpect.non_decreasing).toMatchObject({ column: 'confirmed', severity: 'warn', success: false });
    expect(byExpect.row_count_between).toMatchObject({ severity: 'fail', success: true });
    expect(r.rawBatches).toHaveLength(2);
    expect(r.rawBatches.map((b: { sourceUri: string }) => b.sourceUri.split('/').at(-1))).toEqual([
      '2020-q1.csv',
      '2020-q2.csv',
    ]);
    expect(r.rawBatches.map((b: { rowCount: number }) => b.rowCount)).toEqual([2160, 1440]);
    for (const b of r.rawBatches)
      expect(b).toMatchObject({ sourceType: 'csv', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('pages the rejects with first and offset', async () => {
    const pages = [await run(runId, 5, 0), await run(runId, 5, 5), await run(runId, 5, 10)].map(
      (r) => r.rejects,
    );
    expect(pages.map((p) => p.totalCount)).toEqual([12, 12, 12]);
    expect(pages.map((p) => p.nodes.length)).toEqual([5, 5, 2]);
    const keys = pages.flatMap((p) =>
      p.nodes.map((n: { rawBatchId: string; rowNumber: number }) => `${n.rawBatchId}#${n.rowNumber}`),
    );
    expect(new Set(keys).size).toBe(12);
    const first = pages[0]!.nodes[0];
    expect(first.reasons[0]).toMatchObject({ rule: 'schema' });
    expect(first.reasons[0].message).not.toBe('');
    expect(first.raw).toHaveProperty('country');
    expect((await run(runId, 5, 12)).rejects.nodes).toEqual([]);
  });

  it('refuses a reject page out of range', async () => {
    // Only the rejects: an error in one field nulls the run without waiting for its siblings.
    const q = `query($id: ID!, $first: Int!, $offset: Int!) { run(id: $id) { rejects(first: $first, offset: $offset) { totalCount } } }`;
    expectError(
      await s.gql(q, { id: runId, first: 0, offset: 0 }),
      'BAD_USER_INPUT',
      /first must be between 1 and 500/,
    );
    expectError(
      await s.gql(q, { id: runId, first: 5, offset: -1 }),
      'BAD_USER_INPUT',
      /offset must not be negative/,
    );
  });

  it('pages the rejects by cursor: forward, backward, the last page, matching the offset order', async () => {
    const KEYSET = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) { run(id: $id) {
      rejects(first: $first, after: $after, last: $last, before: $before) {
        totalCount nodes { rawBatchId rowNumber }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;
    type Page = {
      totalCount: number;
      nodes: Array<{ rawBatchId: string; rowNumber: number }>;
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
    };
    const page = async (v: Record<string, unknown>): Promise<Page> =>
      (await s.ok(KEYSET, { id: runId, ...v })).run.rejects;
    const keys = (p: Page) => p.nodes.map((n) => `${n.rawBatchId}#${n.rowNumber}`);
    const byOffset = (await run(runId, 12, 0)).rejects.nodes.map(
      (n: { rawBatchId: string; rowNumber: number }) => `${n.rawBatchId}#${n.rowNumber}`,
    );
    const p1 = await page({ first: 5 });
    const p2 = await page({ first: 5, after: p1.pageInfo.endCursor });
    const p3 = await page({ first: 5, after: p2.pageInfo.endCursor });
    expect([...keys(p1), ...keys(p2), ...keys(p3)]).toEqual(byOffset);
    expect([p1, p2, p3].map((p) => [p.pageInfo.hasPreviousPage, p.pageInfo.hasNextPage])).toEqual([
      [false, true],
      [true, true],
      [true, false],
    ]);
    expect(p3.totalCount).toBe(12);
    const last = await page({ last: 5 });
    expect(keys(last)).toEqual(byOffset.slice(7));
    expect([last.pageInfo.hasPreviousPage, last.pageInfo.hasNextPage]).toEqual([true, false]);
    const beforeLast = await page({ last: 5, before: last.pageInfo.startCursor });
    expect(keys(beforeLast)).toEqual(byOffset.slice(2, 7));
    const start = await page({ last: 5, before: beforeLast.pageInfo.startCursor });
    expect(keys(start)).toEqual(byOffset.slice(0, 2));
    expect([start.pageInfo.hasPreviousPage, start.pageInfo.hasNextPage]).toEqual([false, true]);
  });

  it('refuses a bad cursor or mixed page arguments, naming them', async () => {
    const q = `query($id: ID!, $first: Int, $offset: Int, $after: String, $last: Int, $before: String) { run(id: $id) {
      rejects(first: $first, offset: $offset, after: $after, last: $last, before: $before) { totalCount } } }`;
    const bad = async (v: Record<string, unknown>, message: RegExp) =>
      expectError(await s.gql(q, { id: runId, ...v }), 'BAD_USER_INPUT', message);
    await bad({ after: 'nope' }, /after: 'nope' is not a cursor returned by rejects/);
    await bad({ last: 2, before: Buffer.from('[1,2]').toString('base64url') }, /before: .* is not a cursor/);
    await bad({ first: 2, last: 2 }, /first or last, not both/);
    await bad({ offset: 3, after: 'x' }, /offset pages with first only/);
    await bad({ first: 2, before: 'x' }, /before goes with last/);
    await bad({ last: 0 }, /last must be between 1 and 500/);
  });

  it('links parent and children after a reprocess', async () => {
    const child = (await s.ok(`mutation($id: ID!) { reprocessRun(id: $id) { id } }`, { id: runId }))
      .reprocessRun.id;
    const parent = await run(runId);
    expect(parent.status).toBe('SUPERSEDED');
    expect(parent.children).toEqual([{ id: child, status: 'SUCCEEDED' }]);
    const c = await run(child);
    expect(c.parent).toEqual({ id: runId });
    expect(c.children).toEqual([]);
    // The reprocess read the very same raw batches.
    expect(c.rawBatches.map((b: { id: string }) => b.id)).toEqual(
      parent.rawBatches.map((b: { id: string }) => b.id),
    );
  });

  it('answers null for an unknown id', async () => {
    expect((await s.ok(RUN, { id: 'run_nope', first: 5, offset: 0 })).run).toBeNull();
  });
});

describe(`nested run fields are batched (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [repoFile('contracts/card_transactions.yaml')] });
    s = await startServer(rt);
    const records = cardRecords();
    // 12 ingests, each reprocessed once: 24 runs, each with a parent or a child and a raw batch.
    for (let i = 0; i < 12; i++) {
      const id = (await s.ok(INGEST, { c: 'card_transactions', r: records.slice(i * 5, i * 5 + 5) })).ingest
        .id;
      await s.ok(`mutation($id: ID!) { reprocessRun(id: $id) { id } }`, { id });
    }
    // The run queue keeps looking for work after answering; let it finish so only reads are counted.
    await rt.dispatcher.stop();
  });
  afterAll(async () => {
    await s?.close();
    await rt?.dispose();
  });

  const NESTED = `query($first: Int!) { runs(first: $first) { nodes { id parent { id rawBatches { id } } children { id } rawBatches { id sha256 } } } }`;

  async function countQueries(first: number): Promise<number> {
    let n = 0;
    // Only the request's own reads: the server's timers (freshness, key watch, the run event
    // reader) query on their own schedule and, on a loaded machine, inside this window.
    const background = /run_events|newest_event_time|contract_versions|promotions|api_keys/;
    const count = (q: { sql: string }) => void (background.test(q.sql) ? 0 : n++);
    rt.store.db.on('query', count);
    try {
      const data = await s.ok(NESTED, { first });
      const nodes = data.runs.nodes as Array<{ parent: unknown; children: unknown[]; rawBatches: unknown[] }>;
      expect(nodes).toHaveLength(first);
      // Every run here is related to another one and read a raw batch: the fields did resolve.
      for (const r of nodes) {
        expect(r.rawBatches).toHaveLength(1);
        expect(r.parent !== null || r.children.length === 1).toBe(true);
      }
    } finally {
      rt.store.db.off('query', count);
    }
    return n;
  }

  it('issues the same number of SQL queries for 5 runs as for 20', async () => {
    const five = await countQueries(5);
    const twenty = await countQueries(20);
    expect(five).toBeGreaterThan(0);
    // runs (count + page), then one batch each: parents, children, raw batches of the
    // runs, raw batches of the parents (none when every parent is on the page: cached).
    expect(five).toBeLessThanOrEqual(6);
    expect(twenty).toBeLessThanOrEqual(five);
  });
});
