/**
 * The entity-ranges read of a bulk join (entity-ranges.sql.ts) must cost what the
 * requested entities hold, not what the store holds: on a view of thousands of entities
 * beside a second view, every walk of the feature rows (the newest visible time at or
 * before `from`, the count against the cap, the rows themselves) goes through the
 * (view, entity, event time) index keyed by the request's entity, and nothing scans the
 * feature table. Checked on the real planner of each engine, for every shape (now, a
 * TTL, knownAt, knownAt with a contract version), before and after ANALYZE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { registerContract } from '../support/fixtures';
import { insertDailyRuns } from '../support/daily-runs';
import { pgPlanNodes, sqlitePlan } from '../support/plans';
import { Store } from '../../src/store/store';
import {
  entityRangesStatement,
  type EntityRange,
  type RangeOptions,
} from '../../src/store/entity-ranges.sql';
import { T } from '../../src/store/tables';
import type { FeatureView } from '../../src/store/feature-rows.types';

const VIEW: FeatureView = { environment: 'dev', contract: 'country_daily', major: 1 };
const ENTITIES = 2_000;
const DAYS = 6;
const DAY = 86_400_000;
const key = (e: number) => `"e${String(e).padStart(5, '0')}"`;

const SHAPES: Array<[string, RangeOptions]> = [
  ['now', {}],
  ['a TTL', { ttlMs: 2 * DAY }],
  ['knownAt', { knownAt: 1_003 }],
  ['knownAt and version', { knownAt: 1_003, version: '1.0.0' }],
  ['knownAt, version and a TTL', { knownAt: 1_003, version: '1.0.0', ttlMs: DAY }],
];

/** A bulk join's batch: entities asked over a few days each. */
const ranges: EntityRange[] = Array.from({ length: 100 }, (_, e) => ({
  entityKey: key(e * 7),
  from: DAY + e,
  to: 4 * DAY,
  cap: 12,
}));

describe(`entity-ranges plan (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  let viewId: number;

  beforeAll(async () => {
    db = await createTestDb();
    store = new Store(db);
    await registerContract(store, 'country_daily', '1.0.0');
    const views = (['dev', 'prod'] as const).map((environment) => ({ ...VIEW, environment }));
    await insertDailyRuns(store, views, {
      days: DAYS,
      entities: ENTITIES,
      key,
      values: (e, day) => ({ v: e, d: day }),
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
        it(`${name}: every feature row is reached through the pit index, per entity`, async () => {
          const s = entityRangesStatement(db.engine, viewId, ranges, opts);
          if (db.engine === 'sqlite') checkSqlite(await sqlitePlan(db, s));
          else checkPostgres(await pgPlanNodes(db, s));
        });
      }
    });
  }

  it('reads the ranges the plans are for', async () => {
    const got = new Map<string, unknown>();
    await store.features.eachEntityRange(
      VIEW,
      [
        { entityKey: key(7), from: DAY + 7, to: 3 * DAY + 7, cap: 10 },
        { entityKey: key(8), from: DAY, to: 3 * DAY + 8, cap: 1 },
        { entityKey: key(99_999), from: 0, to: 10 * DAY, cap: 10 },
      ],
      { knownAt: 1_003 },
      (k, rows) => got.set(k, rows && rows.filter((_, i) => i % 6 === 0 || i % 6 === 5)),
    );
    expect(got).toEqual(
      new Map<string, unknown>([
        // From the newest time at or before `from` (day 1) through `to`; day 4 was not known yet.
        [key(7), [DAY + 7, { v: 7, d: 1 }, 2 * DAY + 7, { v: 7, d: 2 }, 3 * DAY + 7, { v: 7, d: 3 }]],
        // Day 0 (the newest at or before `from`) through day 3: over the cap.
        [key(8), null],
        [key(99_999), []],
      ]),
    );
  });
});

/**
 * SQLite: each walk of the feature rows (f3: the newest visible time at or before `from`;
 * f1: the count; f: the rows) is a SEARCH of feature_rows_pit by view and entity; runs
 * are found by seq; nothing scans either table or builds an automatic index.
 */
function checkSqlite(plan: string[]): void {
  const text = plan.join('\n');
  expect(text).not.toMatch(/\bSCAN (f|f1|f3|r|r1|r3|feature_rows|runs)\b/);
  expect(text).not.toMatch(/AUTOMATIC/);
  for (const alias of ['f', 'f1', 'f3']) {
    const walks = plan.filter((l) => l.startsWith(`SEARCH ${alias} `));
    expect(walks, `${alias} in\n${text}`).toHaveLength(1);
    expect(walks[0]).toMatch(
      /USING (COVERING )?INDEX feature_rows_pit \(view_id=\? AND entity_key=\? AND event_time[<>=]/,
    );
  }
  // The newest time before `from`: a backward walk that stops at the first visible row.
  expect(plan.find((l) => l.startsWith('SEARCH f3 '))).toMatch(/event_time<\?\)/);
  for (const l of plan.filter((x) => /^SEARCH (r|r1|r3) /.test(x))) {
    expect(l).toMatch(/USING INDEX runs_seq_unique \(seq=\?\)/);
  }
}

/**
 * PostgreSQL: every access to feature_rows is an index scan of the view's one partition
 * through its pit index, keyed by the request's entity; no sequential or bitmap scan of
 * it (the few runs of this store may be scanned).
 */
function checkPostgres(nodes: Awaited<ReturnType<typeof pgPlanNodes>>): void {
  const features = nodes.filter((n) => /^feature_rows(_p\d+)?$/.test(n['Relation Name'] ?? ''));
  // The newest time before `from`, the count and the rows.
  expect(features.length).toBeGreaterThanOrEqual(3);
  expect(new Set(features.map((n) => n['Relation Name'])).size).toBe(1);
  for (const n of features) {
    expect(n['Node Type']).toMatch(/^Index (Only )?Scan( Backward)?$/);
    expect(n['Index Name']).toBe(`${n['Relation Name']}_pit`);
    expect(n['Index Cond']).toMatch(/view_id = .*entity_key = /);
  }
  // A scan of anything but the (small) runs table would be a scan of the store.
  for (const n of nodes.filter((x) => /Seq Scan|Bitmap/.test(x['Node Type']))) {
    expect(n['Relation Name'] ?? n['Node Type']).toBe(T.runs);
  }
}
