/**
 * The history read of a run must cost what the run brings, not what the store holds:
 * on a view of thousands of entities, the engine's plan for it drives from the
 * requests and reaches every feature row through the (view, entity, event time) index,
 * never by a scan of the view. Checked on the real planner of each engine, before and
 * after statistics are gathered (a store that grew, then was analysed), and the read
 * is a few statements for the whole batch, never one per entity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { registerContract } from '../support/fixtures';
import { insertDailyRuns } from '../support/daily-runs';
import { Store } from '../../src/store/store';
import { historyStatement } from '../../src/store/history.sql';
import { T } from '../../src/store/tables';
import type { FeatureView, HistoryOptions, HistoryRequest } from '../../src/store/feature-rows.types';

const VIEW: FeatureView = { environment: 'dev', contract: 'country_daily', major: 1 };
const ENTITIES = 2_000;
const DAYS = 10;
const DAY = 86_400_000;
const key = (e: number) => `"e${String(e).padStart(5, '0')}"`;

/** Every shape of the statement: range only, by rows, by duration, past nulls, with exclusions. */
const SHAPES: Array<[string, HistoryOptions]> = [
  ['range only', { maxRows: null, maxDurationMs: null }],
  ['maxRows', { maxRows: 4, maxDurationMs: null }],
  ['maxDurationMs', { maxRows: null, maxDurationMs: 3 * DAY }],
  ['lastNonNull', { maxRows: 4, maxDurationMs: null, lastNonNull: { v: 1, w: 2 } }],
  ['excluded runs', { maxRows: 4, maxDurationMs: 3 * DAY, excludeRunIds: ['run_x', 'run_y'] }],
];

/** The next day's batch: every entity once. */
const batch: HistoryRequest[] = Array.from({ length: 1_500 }, (_, e) => ({
  entityKey: key(e),
  from: DAYS * DAY,
  to: DAYS * DAY + 3_600_000,
}));

describe(`history plan on a grown store (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  let viewId: number;

  beforeAll(async () => {
    db = await createTestDb();
    store = new Store(db);
    await registerContract(store, 'country_daily', '1.0.0');
    await insertDailyRuns(store, [VIEW], {
      days: DAYS,
      entities: ENTITIES,
      key,
      values: (e, day) => ({ v: e % 3 ? e : null, w: day }),
    });
    const view = await db
      .knex(T.featureViews)
      .where({ environment: VIEW.environment, contract_name: VIEW.contract, contract_major: VIEW.major })
      .first('id');
    viewId = Number(view.id);
  }, 120_000);
  afterAll(() => db?.dispose());

  for (const stats of ['without statistics', 'after ANALYZE']) {
    describe(stats, () => {
      beforeAll(async () => {
        if (stats === 'after ANALYZE') await db.knex.raw('ANALYZE');
      });

      for (const [name, opts] of SHAPES) {
        it(`${name}: every feature row is reached through the point-in-time index, per request`, async () => {
          const { sql, bindings } = historyStatement(db.engine, viewId, batch, opts);
          if (db.engine === 'sqlite') checkSqlite(await sqlitePlan(db, sql, bindings));
          else checkPostgres(await postgresPlan(db, sql, bindings));
        });
      }
    });
  }

  it('reads the history of a whole batch in a few statements of many entities, not one per entity', async () => {
    const statements: string[] = [];
    const listen = (q: { sql: string }) => statements.push(q.sql);
    db.knex.on('query', listen);
    try {
      const out = await store.features.history(VIEW, batch, { maxRows: 4, maxDurationMs: null });
      expect(out.size).toBe(batch.length);
      expect([...out.values()].every((list) => list.length === 4)).toBe(true);
    } finally {
      db.knex.off('query', listen);
    }
    // 1,500 entities: three statements of 500 (history-reader.ts), over two lanes.
    expect(statements.filter((s) => s.includes('feature_rows'))).toHaveLength(3);
  });
});

async function sqlitePlan(db: TestDb, sql: string, bindings: unknown[]): Promise<string[]> {
  const rows: Array<{ detail: string }> = await db.knex.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as never);
  return rows.map((r) => r.detail);
}

/**
 * SQLite: each walk of the feature rows (the bounds' walks f1/f3 and the main range f) is
 * a SEARCH on feature_rows_pit keyed by view id and entity; runs are found by number; nothing
 * scans either table or builds an automatic index; the requests (b) are the outer loop.
 */
function checkSqlite(plan: string[]): void {
  const text = plan.join('\n');
  expect(text).not.toMatch(/\bSCAN (f|f1|f3|r1|r2|r3|feature_rows|runs)\b/);
  expect(text).not.toMatch(/AUTOMATIC/);
  const walks = plan.filter((l) => /^SEARCH (f|f1|f3) /.test(l));
  expect(walks.length).toBeGreaterThan(0);
  for (const l of walks) {
    expect(l).toMatch(
      /USING (COVERING )?INDEX feature_rows_pit \(view_id=\? AND entity_key=\? AND event_time/,
    );
  }
  for (const l of plan.filter((x) => /^SEARCH (r1|r2|r3) /.test(x))) {
    expect(l).toMatch(/USING INDEX runs_seq_unique \(seq=\?\)/);
  }
  const outer = plan.indexOf('SCAN b');
  const main = plan.findIndex((l) =>
    /^SEARCH f USING (COVERING )?INDEX feature_rows_pit .*event_time>\? AND event_time<\?/.test(l),
  );
  expect(outer).toBeGreaterThanOrEqual(0);
  expect(main).toBeGreaterThan(outer);
}

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PgNode[];
}

async function postgresPlan(db: TestDb, sql: string, bindings: unknown[]): Promise<PgNode> {
  const res = await db.knex.raw(`EXPLAIN (FORMAT JSON) ${sql}`, bindings as never);
  return res.rows[0]['QUERY PLAN'][0].Plan as PgNode;
}

/**
 * PostgreSQL: every access to feature_rows is an index scan of the view's partition's pit index whose
 * condition names the entity (a parameterised walk per request), never a sequential or
 * bitmap scan of the view, which a hash join of the requests with the table would need.
 */
function checkPostgres(plan: PgNode): void {
  const nodes: PgNode[] = [];
  const walk = (n: PgNode) => {
    nodes.push(n);
    n.Plans?.forEach(walk);
  };
  walk(plan);
  // The table is partitioned by view (feature-partitions.test.ts): every access is to the view's one partition.
  const features = nodes.filter((n) => /^feature_rows(_p\d+)?$/.test(n['Relation Name'] ?? ''));
  expect(features.length).toBeGreaterThan(0);
  expect(new Set(features.map((n) => n['Relation Name'])).size).toBe(1);
  for (const n of features) {
    expect(n['Node Type']).toMatch(/^Index (Only )?Scan$/);
    expect(n['Index Name']).toBe(`${n['Relation Name']}_pit`);
    expect(n['Index Cond']).toMatch(/entity_key = /);
  }
}
