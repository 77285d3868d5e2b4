/**
 * The view-scope checks that read only the run's rows (store/view-checks-delta.sql.ts,
 * given a record from store/view-check-state.ts) answer exactly as the whole-view
 * statements do, and as a plain model of the view does, through random histories of
 * appends, late rows, duplicates, skipped days, runs that never commit, rollbacks and
 * reprocesses. The record is trusted only for the runs it was made over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { insertRun, registerContract } from '../support/fixtures';
import { Store } from '../../src/store/store';
import { T } from '../../src/store/tables';
import type { ViewScope } from '../../src/store/view-checks.sql';
import { digestOf } from '../../src/store/view-check-state';
import { rng } from '../../bench/lib/rng';

const DAY = 86_400_000;
const ENTITIES = 6;
const key = (e: number) => `"e${String(e).padStart(2, '0')}"`;

interface ModelRun {
  id: string;
  seq: number;
  rows: Array<{ entity: string; time: number }>;
  committed: boolean;
  invalidated: boolean;
}

/** The checks' answers computed from the visible rows in plain code. */
function reference(rows: Array<{ entity: string; time: number }>, limit: number) {
  const byKey = new Map<string, number>();
  for (const r of rows) byKey.set(`${r.entity}|${r.time}`, (byKey.get(`${r.entity}|${r.time}`) ?? 0) + 1);
  const dups = [...byKey]
    .filter(([, n]) => n > 1)
    .map(([k, n]) => ({ entityKey: k.split('|')[0]!, eventTime: Number(k.split('|')[1]), rows: n }))
    .sort((a, b) =>
      a.entityKey < b.entityKey ? -1 : a.entityKey > b.entityKey ? 1 : a.eventTime - b.eventTime,
    );
  const series = new Map<string, number[]>();
  for (const r of rows) series.set(r.entity, [...(series.get(r.entity) ?? []), r.time]);
  const gaps: Array<{ entityKey: string; from: number; to: number }> = [];
  for (const [entity, times] of [...series].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sorted = [...new Set(times)].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i]! - sorted[i - 1]! > DAY)
        gaps.push({ entityKey: entity, from: sorted[i - 1]!, to: sorted[i]! });
  }
  return {
    rowCount: rows.length,
    duplicates: {
      groups: dups.length,
      extraRows: dups.reduce((s, d) => s + d.rows - 1, 0),
      sample: dups.slice(0, limit),
    },
    gaps: {
      counts: {
        entities: series.size,
        gaps: gaps.length,
        entitiesWithGaps: new Set(gaps.map((g) => g.entityKey)).size,
        missing: gaps.reduce((s, g) => s + Math.floor((g.to - g.from - 1) / DAY), 0),
      },
      sample: gaps.slice(0, limit),
    },
  };
}

describe(`view checks from the last record (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  beforeAll(async () => {
    db = await createTestDb();
    store = new Store(db);
  });
  afterAll(() => db?.dispose());

  const read = async (scope: ViewScope, limit: number) => {
    const reader = store.viewChecks.reader(scope);
    return {
      rowCount: await reader.rowCount(),
      duplicates: await reader.duplicates(limit),
      gaps: await reader.gaps(DAY, limit),
    };
  };
  const seqOf = async (id: string) => Number((await db.knex(T.runs).where({ id }).first('seq')).seq);
  const viewIdOf = async (contract: string) =>
    Number((await db.knex(T.featureViews).where({ contract_name: contract }).first('id')).id);

  // Quiet histories stay clean for long stretches (the record serves); noisy ones soon hold
  // duplicates and gaps (the whole view is read), and both must agree with the model.
  for (const [seed, noise] of [
    [1, 0.03],
    [2, 0.03],
    [3, 1],
    [4, 1],
  ] as const) {
    it(`seed ${seed}, noise ${noise}: the same answers as the whole view and as the model, step by step`, async () => {
      const next = rng(seed);
      const contract = `seeded_${seed}`;
      await registerContract(store, contract, '1.0.0');
      const view = { environment: 'dev' as const, contract, major: 1 };
      const runs: ModelRun[] = [];
      // Series start on day 8, so rows can also arrive before an entity's first day.
      const reach = new Array<number>(ENTITIES).fill(7);
      const first = new Array<number>(ENTITIES).fill(8);
      const fromRecord = { row_count: 0, compound_unique: 0, gaps: 0 };
      for (let step = 0; step < 24; step++) {
        const run = await insertRun(store, { contractName: contract, status: 'running', startedAt: step });
        const rows: ModelRun['rows'] = [];
        for (let e = 0; e < ENTITIES; e++) {
          const r = next();
          // Mostly the next day; sometimes a skipped day, a late row, a repeat, a backfill
          // before the first day (adjacent, or leaving a gap after it) or nothing.
          if (r < 0.08 * noise) continue;
          const day =
            r < 0.14 * noise
              ? reach[e]! + 2
              : r < 0.2 * noise
                ? Math.floor(next() * (reach[e]! + 2))
                : r < 0.25 * noise
                  ? reach[e]!
                  : r < 0.3 * noise
                    ? first[e]! - (next() < 0.5 ? 1 : 3)
                    : reach[e]! + 1;
          rows.push({ entity: key(e), time: day * DAY });
          if (next() < 0.05 * noise) rows.push({ entity: key(e), time: day * DAY });
        }
        await store.features.insertMany(
          run.id,
          view,
          rows.map((r) => ({ entityKey: r.entity, eventTime: r.time, values: { v: 1 } })),
        );
        const committed = runs.filter((r) => r.committed && !r.invalidated);
        const replaces =
          committed.length > 2 && next() < 0.1 ? committed[Math.floor(next() * committed.length)]! : null;
        const model: ModelRun = {
          id: run.id,
          seq: await seqOf(run.id),
          rows,
          committed: false,
          invalidated: false,
        };
        const visible = [...committed.filter((r) => r !== replaces), model];
        const scope: ViewScope = { ...view, runId: run.id, replaces: replaces?.id ?? null, ownNewest: null };

        // Would the record serve? It must be for exactly the runs visible before this one, and clean.
        const before = digestOf(visible.filter((r) => r !== model).map((r) => r.seq));
        const records = await db.knex(T.viewCheckState).where({ view_id: await viewIdOf(contract) });
        const usable = records.filter((x) => x.runs_digest === before && Boolean(x.clean));
        if (!replaces)
          for (const x of usable)
            fromRecord[x.check_key.startsWith('no_gaps') ? 'gaps' : (x.check_key as 'row_count')]++;

        const limit = 1 + Math.floor(next() * 4);
        const recordsBefore = await db.knex(T.viewCheckState).select();
        const incremental = await read(scope, limit);
        await db.knex(T.viewCheckState).delete();
        const whole = await read(scope, limit);
        const expected = reference(
          visible.flatMap((r) => r.rows),
          limit,
        );
        expect(whole, `step ${step}, whole view`).toEqual(expected);
        expect(incremental, `step ${step}, from the record`).toEqual(expected);

        // Commit (most runs), or fail as a run whose commit transaction rolls back: its rows
        // and the records its checks wrote go. Now and then roll back an earlier run.
        if (next() >= 0.9) {
          await db.knex(T.featureRows).where({ run_seq: model.seq }).delete();
          await db.knex(T.runs).where({ id: run.id }).update({ status: 'failed' });
          await db.knex(T.viewCheckState).delete();
          if (recordsBefore.length) await db.knex(T.viewCheckState).insert(recordsBefore);
        } else {
          model.committed = true;
          await db
            .knex(T.runs)
            .where({ id: run.id })
            .update({ status: 'succeeded', committed_at: 1_000 + step });
          for (const r of rows) {
            const e = Number(r.entity.slice(2, 4));
            reach[e] = Math.max(reach[e]!, r.time / DAY);
            first[e] = Math.min(first[e]!, r.time / DAY);
          }
          if (replaces) {
            replaces.invalidated = true;
            await db
              .knex(T.runs)
              .where({ id: replaces.id })
              .update({ invalidated_at: 1_000 + step });
          }
        }
        runs.push(model);
        if (next() < 0.07 && committed.length > 1) {
          const victim = committed[Math.floor(next() * committed.length)]!;
          victim.invalidated = true;
          await db
            .knex(T.runs)
            .where({ id: victim.id })
            .update({ invalidated_at: 1_000 + step, status: 'rolled_back' });
        }
      }
      if (process.env.SHOW_RECORD) console.log(seed, fromRecord);
      // Many steps were answered from the record, so the comparison above tested that path.
      expect(fromRecord.row_count).toBeGreaterThan(10);
      if (noise < 1) {
        expect(fromRecord.compound_unique).toBeGreaterThan(3);
        expect(fromRecord.gaps).toBeGreaterThan(3);
      }
    }, 60_000);
  }

  it('counts missing steps in whole intervals, also for an interval beyond 32 bits of milliseconds', async () => {
    const MONTH = 30 * DAY; // 2,592,000,000 ms: node-sqlite3 would bind it as a real
    await registerContract(store, 'monthly', '1.0.0');
    const view = { environment: 'dev' as const, contract: 'monthly', major: 1 };
    const scopeOf = (runId: string): ViewScope => ({ ...view, runId, replaces: null, ownNewest: null });
    const first = await insertRun(store, { contractName: 'monthly', status: 'running' });
    await store.features.insertMany(first.id, view, [{ entityKey: key(0), eventTime: 0, values: { v: 1 } }]);
    expect((await store.viewChecks.reader(scopeOf(first.id)).gaps(MONTH, 5)).counts.gaps).toBe(0);
    await db.knex(T.runs).where({ id: first.id }).update({ status: 'succeeded', committed_at: 1 });
    const second = await insertRun(store, { contractName: 'monthly', status: 'running' });
    await store.features.insertMany(second.id, view, [
      { entityKey: key(0), eventTime: 100 * DAY, values: { v: 2 } },
    ]);
    // 100 days after the first row: three whole months missing between them.
    const expected = { entities: 1, gaps: 1, entitiesWithGaps: 1, missing: 3 };
    expect((await store.viewChecks.reader(scopeOf(second.id)).gaps(MONTH, 5)).counts).toEqual(expected);
    await db.knex(T.viewCheckState).delete();
    const reader = store.viewChecks.reader(scopeOf(second.id));
    const once = await reader.gaps(MONTH, 5);
    expect(once.counts).toEqual(expected);
    // Asked again (a second expectation with the same check), the reader answers the same
    // without reading again: a new reading would find its own record and read the view whole.
    expect(await reader.gaps(MONTH, 5)).toBe(once);
    expect(await reader.rowCount()).toBe(await reader.rowCount());
  });
});
