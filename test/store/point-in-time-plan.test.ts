/**
 * The point-in-time read (online reads, training sets) walks the (view id, entity,
 * event time) index per request, whatever the shape: now, asOf with a TTL, knownAt,
 * a contract version. Checked on the real planner of each engine, before and after
 * statistics, on a view of thousands of entities beside a second view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { registerContract } from '../support/fixtures';
import { insertDailyRuns } from '../support/daily-runs';
import { Store } from '../../src/store/store';
import { pointInTimeQuery } from '../../src/store/point-in-time.sql';
import { T } from '../../src/store/tables';
import type { FeatureView, PointOptions, PointRequest } from '../../src/store/feature-rows.types';

const VIEW: FeatureView = { environment: 'dev', contract: 'country_daily', major: 1 };
const ENTITIES = 2_000;
const DAYS = 5;
const DAY = 86_400_000;
const key = (e: number) => `"e${String(e).padStart(5, '0')}"`;

const SHAPES: Array<[string, PointOptions, string | undefined]> = [
  ['now', {}, undefined],
  ['asOf with a TTL', { ttlMs: 2 * DAY }, undefined],
  ['knownAt', { knownAt: 1_002 }, undefined],
  ['knownAt and version', { knownAt: 1_002 }, '1.0.0'],
];

const requests: PointRequest[] = Array.from({ length: 500 }, (_, e) => ({
  entityKey: key(e * 3),
  at: 3 * DAY,
}));

describe(`point-in-time plan (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  let viewId: number;

  beforeAll(async () => {
    db = await createTestDb();
    store = new Store(db);
    await registerContract(store, 'country_daily', '1.0.0');
    const views = (['dev', 'prod'] as const).map((environment) => ({ ...VIEW, environment }));
    await insertDailyRuns(store, views, { days: DAYS, entities: ENTITIES, key, values: (e) => ({ v: e }) });
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
      for (const [name, opts, version] of SHAPES) {
        it(`${name}: one walk of feature_rows_pit per request`, async () => {
          const order = Uint32Array.from(requests.keys());
          const { sql, bindings } = pointInTimeQuery(db.engine, { viewId, version }, requests, order, opts);
          if (db.engine === 'sqlite') {
            const rows: Array<{ id: number; parent: number; detail: string }> = await db.knex.raw(
              `EXPLAIN QUERY PLAN ${sql}`,
              bindings as never,
            );
            const plan = rows.map((r) => r.detail);
            const text = plan.join('\n');
            expect(text).not.toMatch(/\bSCAN (f|f2|f3|r|r2|r3|feature_rows|runs)\b/);
            expect(text).not.toMatch(/AUTOMATIC/);
            // The newest visible time: the index walked backward from the request's time.
            const newest = rows.filter((l) => /^SEARCH f3 /.test(l.detail));
            expect(newest).toHaveLength(1);
            expect(newest[0]!.detail).toMatch(
              /USING (COVERING )?INDEX feature_rows_pit \(view_id=\? AND entity_key=\? AND (event_time>\? AND )?event_time<\?\)/,
            );
            // ...and stopped at the first visible row: a sort there would read the entity's whole history.
            expect(
              rows.filter((l) => l.parent === newest[0]!.parent).map((l) => l.detail),
            ).not.toContainEqual(expect.stringMatching(/TEMP B-TREE/));
            // The winner among the rows at exactly that time.
            const winner = plan.filter((l) => /^SEARCH f2 /.test(l));
            expect(winner).toHaveLength(1);
            expect(winner[0]).toMatch(
              /USING (COVERING )?INDEX feature_rows_pit \(view_id=\? AND entity_key=\? AND event_time=\?\)/,
            );
            for (const l of plan.filter((x) => /^SEARCH (r|r2|r3) /.test(x))) {
              expect(l).toMatch(/USING INDEX runs_seq_unique \(seq=\?\)/);
            }
          } else {
            const res = await db.knex.raw(`EXPLAIN (FORMAT JSON) ${sql}`, bindings as never);
            const nodes: PgNode[] = [];
            const walk = (n: PgNode) => {
              nodes.push(n);
              n.Plans?.forEach(walk);
            };
            walk(res.rows[0]['QUERY PLAN'][0].Plan as PgNode);
            // The table is partitioned by view (feature-partitions.test.ts): one partition, its index.
            const features = nodes.filter((n) => /^feature_rows(_p\d+)?$/.test(n['Relation Name'] ?? ''));
            expect(features).toHaveLength(1);
            expect(features[0]!['Node Type']).toMatch(/^Index (Only )?Scan( Backward)?$/);
            expect(features[0]!['Index Name']).toBe(`${features[0]!['Relation Name']}_pit`);
            expect(features[0]!['Index Cond']).toMatch(/view_id = .*entity_key = /);
          }
        });
      }
    });
  }

  it('finds the same rows in both views', async () => {
    const [dev, prod] = await Promise.all(
      (['dev', 'prod'] as const).map((environment) =>
        store.features.pointInTime({ ...VIEW, environment }, [{ entityKey: key(7), at: 2 * DAY + 7 }]),
      ),
    );
    expect(dev![0]).toMatchObject({ eventTime: 2 * DAY + 7, values: { v: 7 } });
    expect(prod![0]).toMatchObject({ eventTime: 2 * DAY + 7, values: { v: 7 } });
  });
});

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PgNode[];
}
