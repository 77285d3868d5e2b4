/**
 * The view-scope checks answered from the last record (store/view-checks-delta.sql.ts)
 * read the run's rows through the run_seq index and probe the point-in-time index once
 * per key of the run: never a walk of the view, never a scan of the feature table, on
 * the real planner of each engine, before and after statistics, beside a bigger view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { DAY, fillDailyViews } from '../support/daily-views';
import { pgPlanNodes, sqlitePlan } from '../support/plans';
import { Store } from '../../src/store/store';
import {
  ownDuplicatesQuery,
  ownGapCountsQuery,
  ownGapSampleQuery,
  ownRowCountQuery,
  type DeltaScope,
} from '../../src/store/view-checks-delta.sql';
import type { Statement } from '../../src/store/view-checks.sql';

const ENTITIES = 2_000;
const DAYS = 5;

describe(`view-scope checks from the record: plans (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  let delta: DeltaScope;

  beforeAll(async () => {
    db = await createTestDb();
    store = new Store(db);
    const { runSeqs, viewId } = await fillDailyViews(db, store, ENTITIES, DAYS);
    // As if the second day had been rolled back: the filter that leaves hidden runs out is in play.
    delta = { engine: db.engine, viewId, ownSeq: runSeqs.at(-1)!, hiddenSeqs: [runSeqs[1]!] };
  }, 120_000);
  afterAll(() => db?.dispose());

  const statements = (): Array<[string, Statement]> => [
    ['row count', ownRowCountQuery(delta)],
    ['duplicates', ownDuplicatesQuery(delta, 20)],
    ['gap counts', ownGapCountsQuery(delta, DAY)],
    ['gap sample', ownGapSampleQuery(delta, DAY, 20)],
  ];

  for (const stats of ['without statistics', 'after ANALYZE']) {
    describe(stats, () => {
      beforeAll(async () => {
        if (stats === 'after ANALYZE') await db.knex.raw('ANALYZE');
      });
      it('starts from the run_seq index and probes the point-in-time index by key', async () => {
        for (const [name, s] of statements()) {
          if (db.engine === 'sqlite') {
            const plan = await sqlitePlan(db, s);
            if (process.env.SHOW_PLANS) console.log(name, plan);
            const text = plan.join('\n');
            expect(text, name).not.toMatch(/\bSCAN (f|o|v|w|feature_rows)\b/);
            expect(text, name).not.toMatch(/AUTOMATIC/);
            expect(text, name).toMatch(
              /SEARCH (o|f) USING (COVERING )?INDEX feature_rows_run_seq_index \(run_seq=\?\)/,
            );
            // Every probe of the view is bounded by the run's entity (and, but for the
            // new-entity test that stops at the entity's first older row, its event time).
            const probes = plan.filter((x) => /feature_rows_pit/.test(x));
            for (const l of probes) expect(l, name).toMatch(/\(view_id=\? AND entity_key=\?/);
            if (name !== 'row count') expect(probes.length, name).toBeGreaterThan(0);
          } else {
            const nodes = await pgPlanNodes(db, s);
            if (process.env.SHOW_PLANS)
              console.log(
                name,
                JSON.stringify(nodes.map((n) => [n['Node Type'], n['Index Name'], n['Index Cond']])),
              );
            const features = nodes.filter((n) => /^feature_rows(_p\d\d)?_/.test(String(n['Index Name'])));
            expect(features.length, name).toBeGreaterThan(0);
            // A sequential scan only of an empty partition (the planner's pick for those).
            for (const n of nodes.filter((x) => x['Node Type'] === 'Seq Scan')) {
              const rows = await db.knex.raw(`SELECT COUNT(*) AS n FROM ${n['Relation Name']}`);
              expect(Number(rows.rows[0].n), `${name}: ${n['Relation Name']}`).toBe(0);
            }
            // The run's rows by run_seq (one probe per partition); each probe of the view
            // bounded by entity key, in the view's one partition.
            expect(
              features.some((n) => /run_seq/.test(String(n['Index Name']))),
              name,
            ).toBe(true);
            // The run_seq index names this run only, never the visible runs (that would be the view).
            for (const n of features.filter((f) => /run_seq/.test(String(f['Index Name']))))
              expect(n['Index Cond'], name).toBe(`(run_seq = ${delta.ownSeq})`);
            const pit = features.filter((f) => /_pit$/.test(String(f['Index Name'])));
            for (const n of pit) expect(n['Index Cond'], name).toMatch(/entity_key = /);
            expect(new Set(pit.map((n) => n['Index Name'])).size, name).toBeLessThanOrEqual(1);
            if (name !== 'row count') expect(pit.length, name).toBeGreaterThan(0);
          }
        }
      });
    });
  }
});
