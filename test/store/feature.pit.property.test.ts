/**
 * pointInTime and history against a brute-force reference of DESIGN.md's semantics:
 * a row is visible at system time K iff its run has committed_at <= K < invalidated_at;
 * per entity the match is the visible row of greatest event time <= at, ties going
 * to the later committed run, then to the row stored last. Few entities and a small
 * event-time range force ties; one database serves every case, each case under its
 * own contract name. Small ranges for commit, invalidation and knownAt times make
 * the boundaries (K equal to either) and equal commit times common.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { insertRun, registerContract } from '../support/fixtures';
import { Store } from '../../src/store/store';
import type { FeatureView, HistoryOptions, HistoryRequest } from '../../src/store/feature-rows.types';
import type { Environment } from '../../src/domain/environment';

interface GenRun {
  committedAt: number | null;
  lifetime: number | null;
  version: '1.0.0' | '1.1.0';
}
interface GenRow {
  run: number;
  entity: string;
  eventTime: number;
  env: Environment;
  /** Feature `v` of the row is null (else it is the row's index, like `i`). */
  nullV: boolean;
}
interface GenQuery {
  requests: Array<{ entity: string; at: number }>;
  knownAt: number | undefined;
  ttlMs: number | undefined;
  version: '1.0.0' | '1.1.0' | undefined;
}
interface GenHistory {
  spans: Array<{ entity: string; from: number; len: number }>;
  maxRows: number | null;
  maxDurationMs: number | null;
  /** How many of the newest rows before `from` with `v` not null to keep as well. */
  lastNonNull: number | null;
  exclude: number[];
}

/** A run as the reference sees it: its system-time window. */
interface RefRun {
  id: string;
  version: string;
  committedAt: number | null;
  invalidatedAt: number | null;
}

const ENTITIES = ['a', 'b', 'c'];
const ASKED = [...ENTITIES, 'd']; // 'd' never has rows
const VERSIONS = ['1.0.0', '1.1.0'] as const;

const runArb: fc.Arbitrary<GenRun> = fc.record({
  committedAt: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }),
  lifetime: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null, freq: 2 }),
  version: fc.constantFrom(...VERSIONS),
});
const rowArb: fc.Arbitrary<GenRow> = fc.record({
  run: fc.nat(),
  entity: fc.constantFrom(...ENTITIES),
  eventTime: fc.integer({ min: 0, max: 10 }),
  env: fc.constantFrom<Environment>('dev', 'dev', 'dev', 'prod'),
  nullV: fc.boolean(),
});
const queryArb: fc.Arbitrary<GenQuery> = fc.record({
  requests: fc.array(fc.record({ entity: fc.constantFrom(...ASKED), at: fc.integer({ min: -1, max: 12 }) }), {
    minLength: 1,
    maxLength: 8,
  }),
  knownAt: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined, freq: 2 }),
  ttlMs: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined, freq: 2 }),
  version: fc.option(fc.constantFrom(...VERSIONS), { nil: undefined, freq: 2 }),
});
const historyArb: fc.Arbitrary<GenHistory> = fc.record({
  spans: fc.uniqueArray(
    fc.record({
      entity: fc.constantFrom(...ASKED),
      from: fc.integer({ min: 0, max: 11 }),
      len: fc.integer({ min: 0, max: 4 }),
    }),
    { selector: (s) => s.entity, maxLength: 4 },
  ),
  maxRows: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
  maxDurationMs: fc.option(fc.integer({ min: 0, max: 8 }), { nil: null }),
  lastNonNull: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  exclude: fc.array(fc.nat(), { maxLength: 2 }),
});
const caseArb = fc.record({
  runs: fc.array(runArb, { minLength: 1, maxLength: 6 }),
  rows: fc.array(rowArb, { minLength: 4, maxLength: 30 }),
  queries: fc.array(queryArb, { minLength: 1, maxLength: 3 }),
  histories: fc.array(historyArb, { minLength: 1, maxLength: 2 }),
});

function visibleAt(run: RefRun, k: number): boolean {
  return (
    run.committedAt !== null && run.committedAt <= k && (run.invalidatedAt === null || k < run.invalidatedAt)
  );
}

/** Whether stored row i outranks stored row j for the same (entity, event time). */
function outranks(runs: RefRun[], rows: GenRow[], i: number, j: number): boolean {
  const ci = runs[rows[i]!.run]!.committedAt!;
  const cj = runs[rows[j]!.run]!.committedAt!;
  return ci !== cj ? ci > cj : i > j;
}

/** The reference point-in-time match: the index of the winning stored row, or null. */
function refPointInTime(runs: RefRun[], rows: GenRow[], q: GenQuery): Array<number | null> {
  const k = q.knownAt ?? Date.now();
  return q.requests.map((req) => {
    let best: number | null = null;
    rows.forEach((r, i) => {
      const run = runs[r.run]!;
      if (r.env !== 'dev' || r.entity !== req.entity || r.eventTime > req.at) return;
      if (q.ttlMs !== undefined && !(r.eventTime > req.at - q.ttlMs)) return;
      if (!visibleAt(run, k) || (q.version !== undefined && run.version !== q.version)) return;
      const b = best === null ? null : rows[best]!;
      if (
        b === null ||
        r.eventTime > b.eventTime ||
        (r.eventTime === b.eventTime && outranks(runs, rows, i, best!))
      ) {
        best = i;
      }
    });
    return best;
  });
}

/** The reference history: per entity, indices of the stored rows returned, ascending event time. */
function refHistory(runs: RefRun[], rows: GenRow[], requests: HistoryRequest[], opts: HistoryOptions) {
  const now = Date.now();
  const out: Record<string, number[]> = {};
  for (const req of requests) {
    const perTime = new Map<number, number>();
    rows.forEach((r, i) => {
      const run = runs[r.run]!;
      if (r.env !== 'dev' || r.entity !== req.entityKey || r.eventTime > req.to) return;
      if (!visibleAt(run, now) || opts.excludeRunIds?.includes(run.id)) return;
      const cur = perTime.get(r.eventTime);
      if (cur === undefined || outranks(runs, rows, i, cur)) perTime.set(r.eventTime, i);
    });
    const times = [...perTime.keys()].sort((x, y) => y - x);
    const nonNull = (u: number) => !rows[perTime.get(u)!]!.nullV;
    const lastNonNull = opts.lastNonNull?.v;
    const kept = times.filter((t) => {
      if (t >= req.from) return true;
      const rank = times.filter((u) => u < req.from && u >= t).length; // 1 = newest before `from`
      const nonNullRank = times.filter((u) => u < req.from && u >= t && nonNull(u)).length;
      return (
        (opts.maxRows !== null && rank <= opts.maxRows) ||
        (opts.maxDurationMs !== null && t >= req.from - opts.maxDurationMs) ||
        (lastNonNull !== undefined && nonNull(t) && nonNullRank <= lastNonNull)
      );
    });
    if (kept.length) out[req.entityKey] = kept.sort((x, y) => x - y).map((t) => perTime.get(t)!);
  }
  return out;
}

describe(`pointInTime and history match a brute-force reference (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  let caseNo = 0;
  const tally = { matched: 0, unmatched: 0, historyRows: 0 };

  beforeAll(async () => {
    db = await createTestDb();
    store = new Store(db);
  });
  afterAll(() => db?.dispose());

  /** Stores one generated case under a fresh contract name; returns its view and runs. */
  async function load(runs: GenRun[], rows: GenRow[]): Promise<{ view: FeatureView; refRuns: RefRun[] }> {
    const contract = `pit_${caseNo++}`;
    for (const v of VERSIONS) await registerContract(store, contract, v);
    const refRuns: RefRun[] = [];
    for (const [i, g] of runs.entries()) {
      const invalidatedAt = g.committedAt !== null && g.lifetime !== null ? g.committedAt + g.lifetime : null;
      const run = await insertRun(store, {
        id: `${contract}_r${i}`,
        contractName: contract,
        contractVersion: g.version,
        status: g.committedAt === null ? 'running' : invalidatedAt === null ? 'succeeded' : 'rolled_back',
        committedAt: g.committedAt,
        invalidatedAt,
      });
      refRuns.push({ id: run.id, version: g.version, committedAt: g.committedAt, invalidatedAt });
    }
    // One insert per row, in generated order, so that storage order is the generated order.
    for (const [i, r] of rows.entries()) {
      await store.features.insertMany(refRuns[r.run]!.id, { environment: r.env, contract, major: 1 }, [
        { entityKey: r.entity, eventTime: r.eventTime, values: { i, v: r.nullV ? null : i } },
      ]);
    }
    return { view: { environment: 'dev', contract, major: 1 }, refRuns };
  }

  it('agrees on every generated case', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const rows = c.rows.map((r) => ({ ...r, run: r.run % c.runs.length }));
        const { view, refRuns } = await load(c.runs, rows);

        for (const q of c.queries) {
          const got = await store.features.pointInTime(
            q.version ? { ...view, version: q.version } : view,
            q.requests.map((r) => ({ entityKey: r.entity, at: r.at })),
            { knownAt: q.knownAt, ttlMs: q.ttlMs },
          );
          const want = refPointInTime(refRuns, rows, q);
          expect(got.map((m) => (m === null ? null : m.values.i))).toEqual(want);
          got.forEach((m, i) => {
            const w = want[i];
            if (m === null || w === null || w === undefined) return;
            const run = refRuns[rows[w]!.run]!;
            expect(m).toMatchObject({
              entityKey: q.requests[i]!.entity,
              eventTime: rows[w]!.eventTime,
              runId: run.id,
              contractVersion: run.version,
              committedAt: run.committedAt,
            });
          });
          for (const w of want) tally[w === null ? 'unmatched' : 'matched'] += 1;
        }

        for (const h of c.histories) {
          const requests = h.spans.map((s) => ({ entityKey: s.entity, from: s.from, to: s.from + s.len }));
          const opts: HistoryOptions = {
            maxRows: h.maxRows,
            maxDurationMs: h.maxDurationMs,
            ...(h.lastNonNull === null ? {} : { lastNonNull: { v: h.lastNonNull } }),
            excludeRunIds: h.exclude.map((x) => refRuns[x % refRuns.length]!.id),
          };
          const got = await store.features.history(view, requests, opts);
          const gotIdx = Object.fromEntries([...got].map(([k, list]) => [k, list.map((p) => p.values.i)]));
          const want = refHistory(refRuns, rows, requests, opts);
          expect(gotIdx).toEqual(want);
          for (const [k, list] of got) {
            expect(list.map((p) => p.eventTime)).toEqual(want[k]!.map((i) => rows[i]!.eventTime));
          }
          tally.historyRows += Object.values(want).flat().length;
        }
      }),
      { numRuns: 25 },
    );
    // The generators must exercise both outcomes, or the comparison proves little.
    expect(tally.matched).toBeGreaterThan(0);
    expect(tally.unmatched).toBeGreaterThan(0);
    expect(tally.historyRows).toBeGreaterThan(0);
  }, 120_000);
});
