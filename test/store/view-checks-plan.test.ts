/**
 * The view-scope expectations' statements (store/view-checks.sql.ts) read the view in
 * one pass of an index, never a scan of the feature table: the row count walks the
 * run_seq index per visible run, duplicates and gaps walk the point-in-time index
 * (view_id, entity_key, event_time) of the one view in its order on SQLite (no sort for
 * the grouping or the per-entity LAG), freshness reads runs only. PostgreSQL gets the
 * view id and visible runs as values and walks one of the two indexes, as its
 * statistics say. Checked on the real planner of each engine, before and after
 * statistics, beside a bigger second view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { DAY, dailyKey as key, fillDailyViews } from '../support/daily-views';
import { pgPlanNodes, sqlitePlan } from '../support/plans';
import { Store } from '../../src/store/store';
import {
  duplicatesQuery,
  gapCountsQuery,
  gapSampleQuery,
  newestQuery,
  rowCountQuery,
  type Statement,
  type ViewScope,
} from '../../src/store/view-checks.sql';

const ENTITIES = 2_000;
const DAYS = 5;

describe(`view-scope checks plan (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  let scope: ViewScope;
  const runIds: string[] = [];

  beforeAll(async () => {
    db = await createTestDb();
    store = new Store(db);
    const views = await fillDailyViews(db, store, ENTITIES, DAYS);
    runIds.push(...views.runIds);
    scope = {
      environment: 'dev',
      contract: 'country_daily',
      major: 1,
      runId: views.runIds.at(-1)!,
      replaces: null,
      ownNewest: null,
    };
  }, 120_000);
  afterAll(() => db?.dispose());

  /** As the reader runs them: on PostgreSQL with the view id and visible runs bound. */
  const statements = async (): Promise<Array<[string, Statement, 'pit' | 'run_seq' | 'runs']>> => {
    const s = await store.viewChecks.resolve(scope);
    return [
      ['row count', rowCountQuery(s), 'run_seq'],
      ['duplicates', duplicatesQuery(s, 20), 'pit'],
      ['gap counts', gapCountsQuery(s, DAY), 'pit'],
      ['gap sample', gapSampleQuery(s, DAY, 20), 'pit'],
      ['newest', newestQuery(s), 'runs'],
    ];
  };

  for (const stats of ['without statistics', 'after ANALYZE']) {
    describe(stats, () => {
      beforeAll(async () => {
        if (stats === 'after ANALYZE') await db.knex.raw('ANALYZE');
      });
      it('reads feature rows through an index, never a scan, and sorts nothing the index orders', async () => {
        for (const [name, s, index] of await statements()) {
          if (db.engine === 'sqlite') {
            const plan = await sqlitePlan(db, s);
            if (process.env.SHOW_PLANS) console.log(name, plan);
            const text = plan.join('\n');
            expect(text, name).not.toMatch(/\bSCAN (f|feature_rows)\b/);
            expect(text, name).not.toMatch(/AUTOMATIC/);
            if (index === 'pit') {
              // Covering (run_seq is in the index, migration 20261206030001): no table row is read.
              expect(text, name).toMatch(/SEARCH f USING COVERING INDEX feature_rows_pit \(view_id=\?\)/);
              // The grouping and the window follow the index order: no sort of the view's rows
              // (the one temp b-tree left orders the few duplicate groups or gaps listed).
              expect(
                plan.filter((l) => /TEMP B-TREE FOR (GROUP BY|RIGHT PART OF ORDER BY)/.test(l)),
                name,
              ).toEqual([]);
            }
            if (index === 'run_seq')
              expect(text, name).toMatch(
                /SEARCH f USING COVERING INDEX feature_rows_run_seq_index \(run_seq=\?\)/,
              );
            if (index === 'runs') expect(text, name).not.toMatch(/feature_rows/);
          } else {
            const nodes = await pgPlanNodes(db, s);
            if (process.env.SHOW_PLANS)
              console.log(
                name,
                JSON.stringify(nodes.map((n) => [n['Node Type'], n['Relation Name'], n['Index Name']])),
              );
            // Feature rows are partitioned by view (HASH(view_id)): plans name the partitions.
            const features = nodes.filter((n) => /^feature_rows(_p\d\d)?$/.test(String(n['Relation Name'])));
            if (index !== 'runs') {
              // Every check binds the view id, so it reads one partition, never all of them.
              expect(new Set(features.map((n) => n['Relation Name'])).size, name).toBe(1);
            }
            // Counting a view's rows may read its whole partition (after ANALYZE, when the view
            // fills it, that is the cheapest plan); every other check walks an index.
            if (name !== 'row count')
              expect(
                features.map((n) => n['Node Type']),
                name,
              ).not.toContain('Seq Scan');
            // PostgreSQL picks between the two indexes by its statistics (the run_seq one,
            // with a hash aggregate, once it knows the view is a large share of its runs;
            // both ANDed as bitmaps before): either way the view's index entries, never the table.
            const indexes = nodes.map((n) => n['Index Name']).filter((x) => x?.startsWith('feature_rows'));
            if (index !== 'runs' && name !== 'row count') {
              expect(indexes.length, name).toBeGreaterThan(0);
              for (const x of indexes)
                expect(x, name).toMatch(/^feature_rows(_p\d\d)?_(pit|run_seq(_index)?)$/);
            }
            // Where it walks the point-in-time index, the index carries run_seq (INCLUDE), so
            // the walk never visits the table.
            for (const n of features.filter((f) => /_pit$/.test(String(f['Index Name']))))
              expect(n['Node Type'], name).toBe('Index Only Scan');
            if (index === 'runs') expect(features, name).toEqual([]);
          }
        }
      });
    });
  }

  it('reads the one view as it stands', async () => {
    const reader = store.viewChecks.reader(scope);
    expect(await reader.rowCount()).toBe(ENTITIES * DAYS);
    expect((await reader.duplicates(20)).groups).toBe(0);
    expect((await reader.gaps(DAY, 20)).counts).toEqual({
      entities: ENTITIES,
      gaps: 0,
      entitiesWithGaps: 0,
      missing: 0,
    });
    // Every day but the third: one gap of one day per entity.
    const without = { ...scope, replaces: runIds[2]! };
    const gaps = await store.viewChecks.reader(without).gaps(DAY, 3);
    expect(gaps.counts).toEqual({
      entities: ENTITIES,
      gaps: ENTITIES,
      entitiesWithGaps: ENTITIES,
      missing: ENTITIES,
    });
    expect(gaps.sample[0]).toEqual({ entityKey: key(0), from: DAY, to: 3 * DAY });
  });
});
