/**
 * The runs list's pages (src/store/run-list.ts) read in the order of the
 * `runs_queued_at_id` index: the first page from the index's end, a later one by seeking
 * its cursor, neither sorting the runs table (which made every page cost the whole
 * table). Checked on the plan of the statement `list` runs, on both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { insertRun, registerContract } from '../support/fixtures';
import { Store } from '../../src/store/store';
import { runPageQuery, type RunCursor } from '../../src/store/run-list';
import { pgPlanNodes, sqlitePlan } from '../support/plans';

const RUNS = 400;

describe(`runs list pages (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  let cursor: RunCursor;

  beforeAll(async () => {
    db = await createTestDb();
    store = new Store(db);
    await registerContract(store, 'country_daily', '1.0.0');
    // Queue times with ties: four runs per millisecond.
    for (let i = 0; i < RUNS; i++)
      await insertRun(store, { queuedAt: 1_700_000_000_000 + Math.floor(i / 4) });
    const page = await store.runs.list({}, 150);
    const last = page.runs.at(-1)!;
    cursor = { queuedAt: last.queuedAt, id: last.id };
  });

  afterAll(() => db?.dispose());

  it('pages through every run once, newest first, ties broken by id', async () => {
    const seen: Array<[number, string]> = [];
    let after: RunCursor | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await store.runs.list({}, 64, after);
      seen.push(...page.runs.map((r): [number, string] => [r.queuedAt, r.id]));
      if (!page.hasNextPage) break;
      const last = page.runs.at(-1)!;
      after = { queuedAt: last.queuedAt, id: last.id };
    }
    expect(seen).toHaveLength(RUNS);
    const sorted = [...seen].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0));
    expect(seen).toEqual(sorted);
  });

  it.each([
    ['the first page', undefined],
    ['a page after a cursor', 'cursor'],
  ] as const)('reads %s in the index order, without sorting the table', async (_, which) => {
    const { sql, bindings } = runPageQuery(db.knex, {}, 50, which ? cursor : undefined).toSQL();
    if (testEngine() === 'sqlite') {
      const plan = (await sqlitePlan(db, { sql, bindings: [...bindings] })).join('\n');
      expect(plan).toMatch(
        which
          ? /SEARCH runs USING INDEX runs_queued_at_id \(\(queued_at,id\)<\(\?,\?\)\)/
          : /SCAN runs USING INDEX runs_queued_at_id/,
      );
      expect(plan).not.toMatch(/TEMP B-TREE/);
      return;
    }
    await db.knex.raw('ANALYZE runs');
    const nodes = await pgPlanNodes(db, { sql, bindings: [...bindings] }, { without: ['sort'] });
    expect(nodes.map((n) => n['Node Type'])).not.toContain('Sort');
    const scan = nodes.find((n) => n['Relation Name'] === 'runs')!;
    expect([scan['Node Type'], scan['Index Name'], scan['Scan Direction']]).toEqual([
      'Index Scan',
      'runs_queued_at_id',
      'Backward',
    ]);
    // The cursor is the index condition (id compared as text), not a filter on rows walked past.
    if (which) expect(scan['Index Cond']).toMatch(/^\(ROW\(queued_at, \(?id\)?(::text)?\) < ROW\(/);
  });
});
