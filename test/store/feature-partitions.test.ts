/**
 * On PostgreSQL the feature table is partitioned by HASH(view_id)
 * (migrations/20261205060001_partition_feature_rows.ts): every shape of point-in-time
 * read is planned against the one partition that holds its view, through that
 * partition's (view_id, entity_key, event_time) index, with several views spread over
 * several partitions. The migration keeps every row and every read (both directions).
 * SQLite keeps one table: its test checks that, and that the read still seeks its index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { insertCommittedRun, registerContract } from '../support/fixtures';
import { Store } from '../../src/store/store';
import { migrateLatest, migrateTo } from '../../src/store/migrate';
import { pointInTimeQuery } from '../../src/store/point-in-time.sql';
import { T } from '../../src/store/tables';
import type { FeatureView, PointOptions, PointRequest } from '../../src/store/feature-rows.types';

const BEFORE = '20261204800001_lean_feature_rows';
const CONTRACTS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
const ENTITIES = 300;
const key = (e: number) => `"e${String(e).padStart(4, '0')}"`;
const view = (contract: string): FeatureView => ({ environment: 'dev', contract, major: 1 });

const SHAPES: Array<[string, PointOptions, string | undefined]> = [
  ['now', {}, undefined],
  ['asOf with a TTL', { ttlMs: 250 }, undefined],
  ['knownAt', { knownAt: 1_002 }, undefined],
  ['knownAt and version', { knownAt: 1_002 }, '1.0.0'],
];

const requests: PointRequest[] = Array.from({ length: 100 }, (_, e) => ({ entityKey: key(e * 3), at: 350 }));

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PgNode[];
}

const isPg = testEngine() === 'postgres';

describe.skipIf(!isPg)('feature table partitions (postgres)', () => {
  let db: TestDb;
  let store: Store;
  const viewIds = new Map<string, number>();

  /** Every read of every view, as (view, shape) → matched rows, for before/after comparison. */
  async function everyRead(): Promise<unknown[]> {
    const out: unknown[] = [];
    for (const contract of CONTRACTS) {
      for (const [, opts, version] of SHAPES) {
        const got = await store.features.pointInTime({ ...view(contract), version }, requests, opts);
        out.push(got.map((m) => m && { runId: m.runId, eventTime: m.eventTime, values: m.values }));
      }
    }
    return out;
  }

  const rowsById = async () =>
    (await db.knex(T.featureRows).select('*').orderBy('id')).map((r) => ({ ...r, id: Number(r.id) }));

  let readsBefore: unknown[];
  let rowsBefore: unknown[];

  beforeAll(async () => {
    db = await createTestDb();
    await migrateTo(db.knex, BEFORE);
    store = new Store(db);
    for (const contract of CONTRACTS) {
      await registerContract(store, contract, '1.0.0');
      for (let day = 0; day < 3; day++) {
        const run = await insertCommittedRun(store, 1_000 + day, { contractName: contract });
        await store.features.insertMany(
          run.id,
          view(contract),
          Array.from({ length: ENTITIES }, (_, e) => ({
            entityKey: key(e),
            eventTime: day * 100 + (e % 50),
            values: { v: e, day, contract },
          })),
        );
      }
    }
    readsBefore = await everyRead();
    rowsBefore = await rowsById();
    await migrateLatest(db.knex);
    store = new Store(db);
    for (const v of await db.knex(T.featureViews).select('id', 'contract_name')) {
      viewIds.set(v.contract_name, Number(v.id));
    }
    await db.knex.raw('ANALYZE');
  }, 120_000);
  afterAll(() => db?.dispose());

  it('spreads the views over more than one partition, none holding rows of another hash', async () => {
    const rows = await db.knex.raw(
      `SELECT tableoid::regclass::text AS part, view_id, count(*) AS n FROM ${T.featureRows}
       GROUP BY 1, 2 ORDER BY 2`,
    );
    const parts = rows.rows as Array<{ part: string; view_id: number; n: string }>;
    expect(parts).toHaveLength(CONTRACTS.length); // each view in exactly one partition
    expect(new Set(parts.map((p) => p.part)).size).toBeGreaterThan(1);
    for (const p of parts) expect(p.part).toMatch(/^feature_rows_p\d{2}$/);
  });

  it('keeps every row and every read through the migration', async () => {
    expect(await rowsById()).toEqual(rowsBefore);
    expect(await everyRead()).toEqual(readsBefore);
  });

  for (const [name, opts, version] of SHAPES) {
    it(`${name}: plans one partition, the view's, through its index`, async () => {
      for (const contract of CONTRACTS) {
        const viewId = viewIds.get(contract)!;
        const home = await db.knex.raw(
          `SELECT tableoid::regclass::text AS part FROM ${T.featureRows} WHERE view_id = ? LIMIT 1`,
          [viewId],
        );
        const part = home.rows[0].part as string;
        expect(part).toMatch(/^feature_rows_p\d{2}$/);
        const order = Uint32Array.from(requests.keys());
        const { sql, bindings } = pointInTimeQuery(db.engine, { viewId, version }, requests, order, opts);
        const res = await db.knex.raw(`EXPLAIN (FORMAT JSON) ${sql}`, bindings as never);
        const nodes: PgNode[] = [];
        const walk = (n: PgNode) => {
          nodes.push(n);
          n.Plans?.forEach(walk);
        };
        walk(res.rows[0]['QUERY PLAN'][0].Plan as PgNode);
        const touched = nodes.filter((n) => (n['Relation Name'] ?? '').startsWith(T.featureRows));
        expect(
          touched.map((n) => n['Relation Name']),
          contract,
        ).toEqual([part]);
        expect(touched[0]!['Node Type']).toMatch(/^Index (Only )?Scan( Backward)?$/);
        expect(touched[0]!['Index Name']).toBe(`${part}_pit`);
        expect(touched[0]!['Index Cond']).toMatch(/view_id = .*entity_key = /);
      }
    });
  }

  it('writes a new view into its partition, and converts back to one table with down', async () => {
    await registerContract(store, 'eta', '1.0.0');
    const run = await insertCommittedRun(store, 2_000, { contractName: 'eta' });
    await store.features.insertMany(run.id, view('eta'), [
      { entityKey: key(1), eventTime: 5, values: { v: 1 } },
    ]);
    const [m] = await store.features.pointInTime(view('eta'), [{ entityKey: key(1), at: 10 }]);
    expect(m).toMatchObject({ runId: run.id, eventTime: 5, values: { v: 1 } });
    const after = await rowsById();
    expect(after.length).toBe(rowsBefore.length + 1);

    await migrateTo(db.knex, BEFORE);
    // By regclass: this test's schema, not another test file's feature table running beside it.
    const kind = await db.knex.raw(`SELECT relkind FROM pg_class WHERE oid = ?::regclass`, [T.featureRows]);
    expect(kind.rows[0].relkind).toBe('r'); // an ordinary table again
    expect(await rowsById()).toEqual(after);
    const reads = await everyRead();
    expect(reads).toEqual(readsBefore);
    // The id sequence carries on past the copied ids.
    const next = await insertCommittedRun(store, 3_000, { contractName: 'eta' });
    await store.features.insertMany(next.id, view('eta'), [{ entityKey: key(2), eventTime: 5, values: {} }]);
    const ids = (await rowsById()).map((r) => r.id);
    expect(ids[ids.length - 1]).toBeGreaterThan(ids[ids.length - 2]!);
  });
});

describe.skipIf(isPg)('feature table partitions (sqlite)', () => {
  // SQLite has no declarative partitioning: the migration leaves its feature table one
  // table, and a view's point-in-time read is a seek on that table's index by view id.
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb();
  });
  afterAll(() => db?.dispose());

  it('keeps one feature table, with no partitions, read through its index by view', async () => {
    const tables: Array<{ name: string; type: string }> = await db.knex.raw(
      `SELECT name, type FROM sqlite_master WHERE name LIKE 'feature_rows%' AND type = 'table' ORDER BY name`,
    );
    expect(tables.map((t) => t.name)).toEqual([T.featureRows]);
    const store = new Store(db);
    await registerContract(store, 'alpha', '1.0.0');
    const run = await insertCommittedRun(store, 1_000, { contractName: 'alpha' });
    await store.features.insertMany(run.id, view('alpha'), [
      { entityKey: key(1), eventTime: 5, values: { v: 1 } },
    ]);
    const [m] = await store.features.pointInTime(view('alpha'), [{ entityKey: key(1), at: 10 }]);
    expect(m).toMatchObject({ runId: run.id, eventTime: 5, values: { v: 1 } });
    const viewId = (await db.knex('feature_views').first('id')) as { id: number };
    const requests: PointRequest[] = [{ entityKey: key(1), at: 10 }];
    const { sql, bindings } = pointInTimeQuery(
      'sqlite',
      { viewId: viewId.id },
      requests,
      new Uint32Array([0]),
      {},
    );
    const plan: Array<{ detail: string }> = await db.knex.raw(`EXPLAIN QUERY PLAN ${sql}`, bindings as never);
    expect(plan.map((r) => r.detail).join('\n')).toMatch(
      /USING (COVERING )?INDEX feature_rows_pit \(view_id=\?/,
    );
  });
});
