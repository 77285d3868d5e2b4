/**
 * The lean feature table migration converts a store in the old layout (text run id,
 * environment and contract name in every row) without losing a row or changing a read:
 * every row comes back with its id, run, view, entity, time and values; point-in-time
 * reads (now, asOf, knownAt, by contract version) and history reads match a brute-force
 * reference over the rows inserted before the migration; new runs and rows work after
 * it; and `down` gives the old layout back, row for row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { insertCommittedRun, registerContract } from '../support/fixtures';
import { Store } from '../../src/store/store';
import { migrateLatest, migrateTo } from '../../src/store/migrate';
import { T } from '../../src/store/tables';
import type { Run } from '../../src/domain/run';
import type { FeatureView } from '../../src/store/feature-rows.types';

const BEFORE = '20261204700002_run_warnings';
const ENTITIES = ['"a"', '"b"', '"c"', '"d"'];

interface OldRow {
  id: number;
  run_id: string;
  environment: string;
  contract_name: string;
  contract_major: number;
  entity_key: string;
  event_time: number;
  feature_values: string;
}

const VIEWS: FeatureView[] = [
  { environment: 'dev', contract: 'meters', major: 1 },
  { environment: 'prod', contract: 'meters', major: 1 },
  { environment: 'dev', contract: 'meters', major: 2 },
];

/** The old layout's rows, or the new layout's joined back to the same columns. */
async function snapshot(db: TestDb, layout: 'old' | 'new'): Promise<OldRow[]> {
  const rows: OldRow[] =
    layout === 'old'
      ? await db.knex(T.featureRows).select('*').orderBy('id')
      : await db
          .knex(`${T.featureRows} as f`)
          .join(`${T.runs} as r`, 'r.seq', 'f.run_seq')
          .join(`${T.featureViews} as v`, 'v.id', 'f.view_id')
          .select(
            'f.id',
            'r.id as run_id',
            'v.environment',
            'v.contract_name',
            'v.contract_major',
            'f.entity_key',
            'f.event_time',
            'f.feature_values',
          )
          .orderBy('f.id');
  return rows.map((r) => ({ ...r, id: Number(r.id), event_time: Number(r.event_time) }));
}

describe(`lean feature rows migration (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  const runs: Run[] = [];
  let before: OldRow[];

  beforeAll(async () => {
    db = await createTestDb();
    await migrateTo(db.knex, BEFORE);
    expect(await db.knex.schema.hasColumn(T.featureRows, 'run_id')).toBe(true);
    store = new Store(db);
    for (const version of ['1.0.0', '1.1.0', '2.0.0']) await registerContract(store, 'meters', version);
    const run = (committedAt: number, version: string, over: Partial<Run> = {}) =>
      insertCommittedRun(store, committedAt, {
        contractName: 'meters',
        contractVersion: version,
        contractMajor: Number(version[0]),
        ...over,
      });
    runs.push(await run(1_000, '1.0.0'));
    runs.push(await run(2_000, '1.1.0'));
    runs.push(await run(1_500, '1.0.0', { invalidatedAt: 2_500 })); // rolled back at 2,500
    runs.push(await run(3_000, '1.0.0', { precedence: 1_000 })); // a reprocess of the first
    runs.push(await run(1_200, '1.0.0', { environment: 'prod' }));
    runs.push(await run(1_100, '2.0.0'));
    const rows: Array<Omit<OldRow, 'id'>> = [];
    runs.forEach((r, k) => {
      for (const entity of ENTITIES.slice(k % 2, 3 + (k % 2))) {
        for (let t = k % 3; t < 12; t += 1 + (k % 2)) {
          rows.push({
            run_id: r.id,
            environment: r.environment,
            contract_name: r.contractName,
            contract_major: r.contractMajor,
            entity_key: entity,
            event_time: t * 100,
            feature_values: JSON.stringify({ v: k * 1_000 + t, w: t % 4 === 0 ? null : `${entity}-${k}` }),
          });
        }
      }
    });
    for (let i = 0; i < rows.length; i += 50) await db.knex(T.featureRows).insert(rows.slice(i, i + 50));
    before = await snapshot(db, 'old');
    expect(before.length).toBe(rows.length);
    await migrateLatest(db.knex);
    store = new Store(db);
  }, 60_000);
  afterAll(() => db?.dispose());

  it('keeps every row: id, run, view, entity, event time and values', async () => {
    expect(await db.knex.schema.hasColumn(T.featureRows, 'run_id')).toBe(false);
    expect(await snapshot(db, 'new')).toEqual(before);
    expect((await db.knex(T.featureViews).select('*')).length).toBe(VIEWS.length);
  });

  it('reads the same point-in-time values: now, asOf, knownAt and by version', async () => {
    const requests = ENTITIES.flatMap((entityKey) =>
      [-1, 0, 50, 250, 500, 777, 1_100, 5_000].map((at) => ({ entityKey, at })),
    );
    let matched = 0;
    for (const view of VIEWS) {
      for (const knownAt of [undefined, 999, 1_000, 1_499, 1_500, 2_000, 2_499, 2_500, 3_000]) {
        for (const version of [undefined, '1.0.0', '1.1.0']) {
          const got = await store.features.pointInTime({ ...view, version }, requests, { knownAt });
          const want = requests.map((q) =>
            reference(before, runs, view, q.entityKey, q.at, knownAt, version),
          );
          matched += want.filter((w) => w !== null).length;
          expect(
            got.map((m) => m && { runId: m.runId, eventTime: m.eventTime, values: m.values }),
            `${view.environment}/${view.major} knownAt ${knownAt} version ${version}`,
          ).toEqual(
            want.map(
              (w) => w && { runId: w.run_id, eventTime: w.event_time, values: JSON.parse(w.feature_values) },
            ),
          );
        }
      }
    }
    expect(matched).toBeGreaterThan(100);
  });

  it('reads the same history, and the same rows per run and runs per entity', async () => {
    const view = VIEWS[0]!;
    const out = await store.features.history(view, [{ entityKey: '"b"', from: 600, to: 900 }], {
      maxRows: 2,
      maxDurationMs: null,
    });
    const winners = new Map<number, OldRow>();
    for (let t = 0; t < 1_200; t += 100) {
      const w = reference(before, runs, view, '"b"', t, undefined, undefined);
      if (w && w.event_time === t) winners.set(t, w);
    }
    const times = [...winners.keys()].sort((a, b) => a - b);
    const kept = [...times.filter((t) => t < 600).slice(-2), ...times.filter((t) => t >= 600 && t <= 900)];
    expect(out.get('"b"')).toEqual(
      kept.map((t) => ({ eventTime: t, values: JSON.parse(winners.get(t)!.feature_values) })),
    );
    for (const r of runs) {
      const mine = before.filter((row) => row.run_id === r.id);
      expect(await store.features.countForRun(r.id)).toBe(mine.length);
      expect((await store.features.forRun(r.id)).length).toBe(mine.length);
    }
    const wrote = new Set(
      before
        .filter((row) => row.entity_key === '"a"' && row.environment === 'dev' && row.contract_major === 1)
        .map((row) => row.run_id),
    );
    expect((await store.features.runIdsForEntity(view, '"a"')).sort()).toEqual([...wrote].sort());
  });

  it('gives new runs a number, writes and reads their rows, and converts back with down', async () => {
    const run = await insertCommittedRun(store, 4_000, { contractName: 'meters', contractVersion: '1.0.0' });
    const seqs = (await db.knex(T.runs).select('seq')).map((r: { seq: number | string }) => Number(r.seq));
    expect(new Set(seqs).size).toBe(runs.length + 1);
    await store.features.insertMany(run.id, VIEWS[0]!, [
      { entityKey: '"a"', eventTime: 5_000, values: { v: -1 } },
    ]);
    const [m] = await store.features.pointInTime(VIEWS[0]!, [{ entityKey: '"a"', at: 6_000 }]);
    expect(m).toMatchObject({ runId: run.id, eventTime: 5_000, values: { v: -1 } });
    const after = await snapshot(db, 'new');
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after[before.length]!.id).toBeGreaterThan(before[before.length - 1]!.id);

    await migrateTo(db.knex, BEFORE);
    expect(await db.knex.schema.hasTable(T.featureViews)).toBe(false);
    expect(await snapshot(db, 'old')).toEqual(after);
    await migrateLatest(db.knex);
    expect(await snapshot(db, 'new')).toEqual(after);
  });
});

/**
 * DESIGN.md's point in time, by brute force: among rows of the view visible at `knownAt`
 * (committed at or before it, not invalidated by then; now when absent) with event time
 * <= at, the greatest event time, then the greater precedence (commit time unless set),
 * the later commit, the later row.
 */
function reference(
  rows: OldRow[],
  runs: Run[],
  view: FeatureView,
  entity: string,
  at: number,
  knownAt: number | undefined,
  version: string | undefined,
): OldRow | null {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const visible = (r: Run) =>
    r.committedAt !== null &&
    (knownAt === undefined
      ? r.invalidatedAt === null
      : r.committedAt <= knownAt && (r.invalidatedAt === null || r.invalidatedAt > knownAt));
  const candidates = rows.filter((row) => {
    const r = byId.get(row.run_id)!;
    return (
      row.environment === view.environment &&
      row.contract_name === view.contract &&
      row.contract_major === view.major &&
      row.entity_key === entity &&
      row.event_time <= at &&
      visible(r) &&
      (version === undefined || r.contractVersion === version)
    );
  });
  const key = (row: OldRow) => {
    const r = byId.get(row.run_id)!;
    return [row.event_time, r.precedence ?? r.committedAt!, r.committedAt!, row.id];
  };
  let best: OldRow | null = null;
  for (const row of candidates) {
    if (!best) {
      best = row;
      continue;
    }
    const [a, b] = [key(row), key(best)];
    const cmp = a.map((x, i) => x - b[i]!).find((d) => d !== 0) ?? 0;
    if (cmp > 0) best = row;
  }
  return best;
}
