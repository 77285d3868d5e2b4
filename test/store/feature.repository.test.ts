import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { insertCommittedRun, insertRun, registerContract } from '../support/fixtures';
import { Store } from '../../src/store/store';
import { maxBindings } from '../../src/store/dialect';
import type {
  FeatureRowInsert,
  FeatureView,
  HistoryOptions,
  HistoryRequest,
  MatchedRow,
} from '../../src/store/feature-rows.types';
import type { Run } from '../../src/domain/run';

const VIEW: FeatureView = { environment: 'dev', contract: 'country_daily', major: 1 };

function row(entityKey: string, eventTime: number, v: number | string | null): FeatureRowInsert {
  return { entityKey, eventTime, values: { v } };
}

/** The parts of a match a test cares about. */
function brief(m: MatchedRow | null): { run: string; t: number; v: unknown } | null {
  return m && { run: m.runId, t: m.eventTime, v: m.values.v };
}

describe(`FeatureRepository (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  beforeEach(async () => {
    db = await createTestDb();
    store = new Store(db);
    await registerContract(store, 'country_daily', '1.0.0');
    await registerContract(store, 'country_daily', '1.1.0');
    await registerContract(store, 'country_daily', '2.0.0');
    await registerContract(store, 'air_quality', '1.0.0');
  });
  afterEach(() => db.dispose());

  async function write(run: Run, rows: FeatureRowInsert[], view: FeatureView = VIEW): Promise<void> {
    await store.features.insertMany(run.id, view, rows);
  }

  describe('insertMany', () => {
    it('stores more rows than one statement can bind, values intact', async () => {
      // 10,000 rows × 7 columns = 70,000 bound values: over both engines' limits.
      const run = await insertCommittedRun(store, 100);
      const rows = Array.from({ length: 10_000 }, (_, i) => ({
        entityKey: `e${String(i % 100).padStart(3, '0')}`,
        eventTime: 1_700_000_000_000 + Math.floor(i / 100) * 86_400_000,
        values: { n: i, s: `ünïcødé ${i}`, b: i % 2 === 0, nothing: null, f: i / 7 },
      }));
      await write(run, rows);

      expect(await store.features.countForRun(run.id)).toBe(rows.length);
      const stored = await store.features.forRun(run.id);
      const canonical = [...rows].sort((a, b) =>
        a.entityKey < b.entityKey ? -1 : a.entityKey > b.entityKey ? 1 : a.eventTime - b.eventTime,
      );
      expect(stored).toEqual(canonical);
    });

    it('writes nothing for no rows', async () => {
      const run = await insertCommittedRun(store, 100);
      await write(run, []);
      expect(await store.features.countForRun(run.id)).toBe(0);
    });
  });

  describe('pointInTime', () => {
    it('matches the latest row at or before asOf', async () => {
      const run = await insertCommittedRun(store, 100);
      await write(run, [row('a', 30, 3), row('a', 10, 1), row('a', 20, 2)]);

      const got = await store.features.pointInTime(VIEW, [
        { entityKey: 'a', at: 25 },
        { entityKey: 'a', at: 30 },
        { entityKey: 'a', at: 5 },
        { entityKey: 'a', at: 10_000 },
      ]);
      expect(got.map(brief)).toEqual([
        { run: run.id, t: 20, v: 2 },
        { run: run.id, t: 30, v: 3 },
        null,
        { run: run.id, t: 30, v: 3 },
      ]);
      expect(got[0]).toEqual({
        entityKey: 'a',
        eventTime: 20,
        values: { v: 2 },
        runId: run.id,
        contractVersion: '1.0.0',
        committedAt: 100,
      });
    });

    it('stays inside its view: environment, contract and major', async () => {
      const dev = await insertCommittedRun(store, 100);
      const prod = await insertCommittedRun(store, 200, { environment: 'prod' });
      const v2 = await insertCommittedRun(store, 300, { contractVersion: '2.0.0' });
      const other = await insertCommittedRun(store, 400, { contractName: 'air_quality' });
      await write(dev, [row('a', 10, 'dev')]);
      await write(prod, [row('a', 20, 'prod')], { ...VIEW, environment: 'prod' });
      await write(v2, [row('a', 30, 'v2')], { ...VIEW, major: 2 });
      await write(other, [row('a', 40, 'air')], { ...VIEW, contract: 'air_quality' });

      const at = [{ entityKey: 'a', at: 100 }];
      expect((await store.features.pointInTime(VIEW, at)).map(brief)).toEqual([
        { run: dev.id, t: 10, v: 'dev' },
      ]);
      expect(
        (await store.features.pointInTime({ ...VIEW, environment: 'prod' }, at)).map((m) => m?.values.v),
      ).toEqual(['prod']);
      expect((await store.features.pointInTime({ ...VIEW, major: 2 }, at)).map((m) => m?.values.v)).toEqual([
        'v2',
      ]);
      expect(
        (await store.features.pointInTime({ ...VIEW, contract: 'air_quality' }, at)).map((m) => m?.values.v),
      ).toEqual(['air']);
      expect(await store.features.pointInTime({ ...VIEW, environment: 'test' }, at)).toEqual([null]);
    });

    it('breaks a tie on event time by the later committed run, then by the later row', async () => {
      const later = await insertCommittedRun(store, 200);
      const earlier = await insertCommittedRun(store, 100);
      // The later-committed run's row goes in first, so insertion order alone would pick the wrong one.
      await write(later, [row('a', 10, 'later')]);
      await write(earlier, [row('a', 10, 'earlier')]);
      expect((await store.features.pointInTime(VIEW, [{ entityKey: 'a', at: 10 }])).map(brief)).toEqual([
        { run: later.id, t: 10, v: 'later' },
      ]);

      // Same commit time: the row stored last wins.
      const twinA = await insertCommittedRun(store, 300);
      const twinB = await insertCommittedRun(store, 300);
      await write(twinB, [row('b', 10, 'first stored')]);
      await write(twinA, [row('b', 10, 'last stored')]);
      expect((await store.features.pointInTime(VIEW, [{ entityKey: 'b', at: 10 }])).map(brief)).toEqual([
        { run: twinA.id, t: 10, v: 'last stored' },
      ]);
    });

    it('prefers a greater event time over a later commit', async () => {
      const old = await insertCommittedRun(store, 100);
      const fresh = await insertCommittedRun(store, 200);
      await write(old, [row('a', 20, 'old run, newer event')]);
      await write(fresh, [row('a', 10, 'new run, older event')]);
      expect((await store.features.pointInTime(VIEW, [{ entityKey: 'a', at: 50 }]))[0]?.values.v).toBe(
        'old run, newer event',
      );
    });

    describe('knownAt (system time)', () => {
      let base: Run;
      let rolledBack: Run;
      beforeEach(async () => {
        base = await insertCommittedRun(store, 10);
        rolledBack = await insertCommittedRun(store, 100, { invalidatedAt: 200 });
        const uncommitted = await insertRun(store, { status: 'running', startedAt: 50 });
        await write(base, [row('a', 5, 'base')]);
        await write(rolledBack, [row('a', 5, 'rolled back'), row('b', 5, 'only rolled back')]);
        await write(uncommitted, [row('a', 5, 'uncommitted'), row('c', 5, 'uncommitted')]);
      });

      async function seen(knownAt?: number): Promise<unknown[]> {
        const got = await store.features.pointInTime(
          VIEW,
          ['a', 'b', 'c'].map((entityKey) => ({ entityKey, at: 100 })),
          knownAt === undefined ? {} : { knownAt },
        );
        return got.map((m) => m?.values.v ?? null);
      }

      it('shows a rolled-back run only inside [committed_at, invalidated_at)', async () => {
        expect(await seen(150)).toEqual(['rolled back', 'only rolled back', null]);
        expect(await seen(100)).toEqual(['rolled back', 'only rolled back', null]);
        expect(await seen(199)).toEqual(['rolled back', 'only rolled back', null]);
        expect(await seen(200)).toEqual(['base', null, null]);
        expect(await seen(250)).toEqual(['base', null, null]);
        expect(await seen(50)).toEqual(['base', null, null]);
        expect(await seen(5)).toEqual([null, null, null]);
      });

      it('hides an invalidated run "now" and never shows an uncommitted one', async () => {
        expect(await seen()).toEqual(['base', null, null]);
        expect(await seen(Number.MAX_SAFE_INTEGER)).toEqual(['base', null, null]);
      });

      it('sees a run once committed and stops seeing it once rolled back, without deleting rows', async () => {
        const run = await insertRun(store, { status: 'running' });
        await write(run, [row('d', 5, 'late')]);
        const d = () => store.features.pointInTime(VIEW, [{ entityKey: 'd', at: 10 }]);
        expect(await d()).toEqual([null]);

        await store.runs.update(run.id, { status: 'succeeded', committedAt: 300 });
        expect((await d()).map((m) => m?.values.v)).toEqual(['late']);

        await store.runs.update(run.id, { status: 'rolled_back', invalidatedAt: 400 });
        expect(await d()).toEqual([null]);
        expect(
          (await store.features.pointInTime(VIEW, [{ entityKey: 'd', at: 10 }], { knownAt: 350 }))[0]?.runId,
        ).toBe(run.id);
        expect(await store.features.countForRun(run.id)).toBe(1);
      });
    });

    it('filters on the exact contract version when asked', async () => {
      const v100 = await insertCommittedRun(store, 100, { contractVersion: '1.0.0' });
      const v110 = await insertCommittedRun(store, 200, { contractVersion: '1.1.0' });
      await write(v100, [row('a', 10, 'v1.0 old'), row('a', 30, 'v1.0 new')]);
      await write(v110, [row('a', 20, 'v1.1')]);

      const at = [{ entityKey: 'a', at: 25 }];
      const any = await store.features.pointInTime(VIEW, at);
      expect(any.map((m) => [m?.contractVersion, m?.values.v])).toEqual([['1.1.0', 'v1.1']]);
      const exact = await store.features.pointInTime({ ...VIEW, version: '1.0.0' }, at);
      expect(exact.map((m) => [m?.contractVersion, m?.values.v])).toEqual([['1.0.0', 'v1.0 old']]);
      expect(await store.features.pointInTime({ ...VIEW, version: '1.2.0' }, at)).toEqual([null]);
    });

    it('applies a TTL: only rows with event time > at - ttl match', async () => {
      const run = await insertCommittedRun(store, 1);
      await write(run, [row('a', 40, 'stale'), row('a', 100, 'recent')]);
      const at = [{ entityKey: 'a', at: 150 }];
      const v = async (ttlMs: number) =>
        (await store.features.pointInTime(VIEW, at, { ttlMs })).map((m) => m?.values.v ?? null);
      expect(await v(60)).toEqual(['recent']);
      expect(await v(51)).toEqual(['recent']);
      expect(await v(50)).toEqual([null]); // 100 is not > 150 - 50
      expect(await v(30)).toEqual([null]); // no fallback to the older row either
      expect(await v(0)).toEqual([null]);
      // A row exactly at `at` survives the smallest TTL.
      const exact = await store.features.pointInTime(VIEW, [{ entityKey: 'a', at: 100 }], { ttlMs: 1 });
      expect(exact.map((m) => m?.eventTime)).toEqual([100]);
    });

    it('answers in input order, duplicates and misses included', async () => {
      const run = await insertCommittedRun(store, 1);
      await write(run, [row('a', 10, 'a10'), row('a', 20, 'a20'), row('b', 10, 'b10')]);
      const got = await store.features.pointInTime(VIEW, [
        { entityKey: 'b', at: 15 },
        { entityKey: 'a', at: 25 },
        { entityKey: 'missing', at: 25 },
        { entityKey: 'a', at: 15 },
        { entityKey: 'b', at: 15 },
        { entityKey: 'a', at: 25 },
      ]);
      expect(got.map((m) => m?.values.v ?? null)).toEqual(['b10', 'a20', null, 'a10', 'b10', 'a20']);
      expect(await store.features.pointInTime(VIEW, [])).toEqual([]);
    });

    it('handles more requests than fit in one statement, keeping them aligned', async () => {
      // Few stored rows keep this fast; it is the number of requests that matters here.
      const run = await insertCommittedRun(store, 1);
      const rows: FeatureRowInsert[] = [];
      for (let k = 0; k < 10; k++) for (let t = 0; t < 100; t += 20) rows.push(row(`e${k}`, t, k * 1000 + t));
      await write(run, rows);

      // More than 3 bound values per request would exceed one statement on either engine;
      // the requests also span three chunks of the store's read.
      const n = Math.max(25_000, Math.floor(maxBindings(db.engine) / 3) + 1_000);
      const requests = Array.from({ length: n }, (_, i) => ({ entityKey: `e${i % 11}`, at: i % 97 }));
      const got = await store.features.pointInTime(VIEW, requests);

      expect(got).toHaveLength(n);
      const bad = requests.findIndex((r, i) => {
        const k = i % 11; // e10 has no rows
        const want = k === 10 ? null : k * 1000 + Math.floor(r.at / 20) * 20;
        return (got[i]?.values.v ?? null) !== want;
      });
      expect(bad).toBe(-1);
    });
  });

  describe('pointInTime: requests bound as one value, in (entity, time) order, chunk by chunk', () => {
    it('round-trips keys that need escaping and extreme times', async () => {
      const run = await insertCommittedRun(store, 1);
      const keys = ['"quoted"', 'back\\slash', '["x\\"y",1]', 'ünï 😀', "it's", '42', '', 'a\nb', '?'];
      await write(
        run,
        keys.map((k, i) => row(k, -5 + i, k)),
      );
      const requests = [
        ...keys.map((k) => ({ entityKey: k, at: 1_000 })),
        ...keys.map((k) => ({ entityKey: k, at: -6 })),
        { entityKey: keys[0]!, at: Number.MAX_SAFE_INTEGER },
        { entityKey: keys[0]!, at: -Number.MAX_SAFE_INTEGER },
      ];
      const got = await store.features.pointInTime(VIEW, requests);
      expect(got.map((m) => m?.values.v ?? null)).toEqual([...keys, ...keys.map(() => null), keys[0], null]);
      expect(got.slice(0, keys.length).map((m) => m?.entityKey)).toEqual(keys);
      expect(got.slice(0, keys.length).map((m) => m?.eventTime)).toEqual(keys.map((_, i) => -5 + i));
    });

    it('resolves ties by precedence, then commit time, for every request across chunks', async () => {
      const original = await insertCommittedRun(store, 100, { precedence: 100 });
      const correction = await insertCommittedRun(store, 200, { precedence: 200 });
      // A reprocess of the original commits last but keeps the original's precedence.
      const reprocess = await insertCommittedRun(store, 300, { precedence: 100 });
      const times = [10, 20, 30];
      await write(
        original,
        times.map((t) => row('x', t, `original ${t}`)),
      );
      await write(
        reprocess,
        times.map((t) => row('x', t, `reprocess ${t}`)),
      );
      await write(correction, [row('x', 20, 'correction 20')]);

      // Unsorted, with repeats and misses: the sort and the chunk boundaries both fall inside 'x'.
      const n = 25_000;
      const requests = Array.from({ length: n }, (_, i) => ({
        entityKey: i % 13 === 0 ? 'nobody' : 'x',
        at: (i * 7919) % 40,
      }));
      const want = (r: { entityKey: string; at: number }) => {
        if (r.entityKey !== 'x' || r.at < 10) return null;
        const t = Math.min(30, Math.floor(r.at / 10) * 10);
        return t === 20 ? 'correction 20' : `reprocess ${t}`;
      };
      const got = await store.features.pointInTime(VIEW, requests);
      expect(got.findIndex((m, i) => (m?.values.v ?? null) !== want(requests[i]!))).toBe(-1);
      const runIds = new Set(got.map((m) => m?.runId ?? null));
      expect(runIds).toEqual(new Set([null, correction.id, reprocess.id]));
    });

    it('eachPointInTime calls back once per matched request, with the same matches', async () => {
      const run = await insertCommittedRun(store, 1);
      await write(run, [row('a', 10, 'a10'), row('b', 10, 'b10')]);
      const requests = Array.from({ length: 12_345 }, (_, i) => ({
        entityKey: ['a', 'b', 'c'][i % 3]!,
        at: i % 20,
      }));
      const seen = new Map<number, MatchedRow>();
      await store.features.eachPointInTime(VIEW, requests, {}, (i, m) => {
        expect(seen.has(i)).toBe(false);
        seen.set(i, m);
      });
      const all = await store.features.pointInTime(VIEW, requests);
      expect(seen.size).toBe(all.filter((m) => m !== null).length);
      all.forEach((m, i) => expect(seen.get(i) ?? null).toEqual(m));
    });
  });

  describe('history', () => {
    type Opts = HistoryOptions;
    const inRangeOnly: Opts = { maxRows: null, maxDurationMs: null };

    async function hist(
      requests: HistoryRequest[],
      opts: Opts = inRangeOnly,
      view: FeatureView = VIEW,
    ): Promise<Record<string, Array<[number, unknown]>>> {
      const out = await store.features.history(view, requests, opts);
      return Object.fromEntries([...out].map(([k, list]) => [k, list.map((p) => [p.eventTime, p.values.v])]));
    }
    const a = (from: number, to = from): HistoryRequest => ({ entityKey: 'a', from, to });

    let run: Run;
    beforeEach(async () => {
      run = await insertCommittedRun(store, 100);
      await write(run, [
        row('a', 40, 40),
        row('a', 10, 10),
        row('a', 30, 30),
        row('a', 20, 20),
        row('b', 5, 5),
      ]);
    });

    it('returns the rows inside [from, to], ascending, and nothing before `from` unless asked', async () => {
      expect(await hist([a(20, 30)])).toEqual({
        a: [
          [20, 20],
          [30, 30],
        ],
      });
      expect(await hist([a(25)])).toEqual({});
      expect(await hist([])).toEqual({});
    });

    it('answers several entities at once, each with its own span', async () => {
      expect(
        await hist([
          a(20, 40),
          { entityKey: 'b', from: 0, to: 100 },
          { entityKey: 'nobody', from: 0, to: 100 },
        ]),
      ).toEqual({
        a: [
          [20, 20],
          [30, 30],
          [40, 40],
        ],
        b: [[5, 5]],
      });
    });

    it('adds the newest maxRows rows before `from`', async () => {
      expect(await hist([a(40)], { maxRows: 2, maxDurationMs: null })).toEqual({
        a: [
          [20, 20],
          [30, 30],
          [40, 40],
        ],
      });
      // Rows inside the span do not use up maxRows.
      expect(await hist([a(30, 40)], { maxRows: 1, maxDurationMs: null })).toEqual({
        a: [
          [20, 20],
          [30, 30],
          [40, 40],
        ],
      });
    });

    it('adds the rows within maxDurationMs before `from` (inclusive)', async () => {
      expect(await hist([a(40)], { maxRows: null, maxDurationMs: 15 })).toEqual({
        a: [
          [30, 30],
          [40, 40],
        ],
      });
      expect(await hist([a(40)], { maxRows: null, maxDurationMs: 20 })).toEqual({
        a: [
          [20, 20],
          [30, 30],
          [40, 40],
        ],
      });
    });

    it('keeps a row before `from` when either maxRows or maxDurationMs asks for it', async () => {
      expect(await hist([a(40)], { maxRows: 1, maxDurationMs: 30 })).toEqual({
        a: [
          [10, 10],
          [20, 20],
          [30, 30],
          [40, 40],
        ],
      });
      expect(await hist([a(40)], { maxRows: 3, maxDurationMs: 5 })).toEqual({
        a: [
          [10, 10],
          [20, 20],
          [30, 30],
          [40, 40],
        ],
      });
    });

    it('keeps one row per event time, the later committed run winning, before counting maxRows', async () => {
      const later = await insertCommittedRun(store, 200);
      const earlier = await insertCommittedRun(store, 50);
      await write(later, [row('a', 30, 'later'), row('a', 40, 'later')]);
      await write(earlier, [row('a', 40, 'earlier')]);

      expect(await hist([a(100)], { maxRows: 3, maxDurationMs: null })).toEqual({
        a: [
          [20, 20],
          [30, 'later'],
          [40, 'later'],
        ],
      });
      expect(await hist([a(0, 100)])).toEqual({
        a: [
          [10, 10],
          [20, 20],
          [30, 'later'],
          [40, 'later'],
        ],
      });
      // Excluding the later run brings back what it hid, the original run outranking the earlier one.
      expect(await hist([a(100)], { maxRows: 10, maxDurationMs: null, excludeRunIds: [later.id] })).toEqual({
        a: [
          [10, 10],
          [20, 20],
          [30, 30],
          [40, 40],
        ],
      });
      expect(await hist([a(0, 100)], { ...inRangeOnly, excludeRunIds: [later.id, run.id] })).toEqual({
        a: [[40, 'earlier']],
      });
    });

    it('reaches back past a run of nulls for the newest lastNonNull non-null rows', async () => {
      const nulls = await insertCommittedRun(store, 200);
      await write(nulls, [row('a', 50, null), row('a', 60, null), row('a', 70, null)]);
      expect(await hist([a(80)], { maxRows: 1, maxDurationMs: null, lastNonNull: { v: 2 } })).toEqual({
        a: [
          [30, 30],
          [40, 40],
          [70, null],
        ],
      });
      // Fewer non-null rows than asked for: all of them.
      expect(await hist([a(80)], { maxRows: null, maxDurationMs: null, lastNonNull: { v: 9 } })).toEqual({
        a: [
          [10, 10],
          [20, 20],
          [30, 30],
          [40, 40],
        ],
      });
    });

    it('counts a lastNonNull row only where it wins its event time', async () => {
      // A later run writes null over 30 and 40: the non-null rows it outranks do not count.
      const later = await insertCommittedRun(store, 200);
      await write(later, [row('a', 30, null), row('a', 40, null)]);
      expect(await hist([a(100)], { maxRows: null, maxDurationMs: null, lastNonNull: { v: 1 } })).toEqual({
        a: [[20, 20]],
      });
    });

    it('ignores rows of rolled-back and uncommitted runs', async () => {
      const rolledBack = await insertCommittedRun(store, 150, { invalidatedAt: 160 });
      const running = await insertRun(store, { status: 'running' });
      await write(rolledBack, [row('a', 20, 'rolled back'), row('a', 25, 'rolled back')]);
      await write(running, [row('a', 20, 'running'), row('a', 35, 'running')]);
      const want = {
        a: [
          [10, 10],
          [20, 20],
          [30, 30],
          [40, 40],
        ],
      };
      expect(await hist([a(0, 100)])).toEqual(want);
      expect(await hist([a(100)], { maxRows: 10, maxDurationMs: null })).toEqual(want);
    });

    it('stays inside its view', async () => {
      const prod = await insertCommittedRun(store, 100, { environment: 'prod' });
      await write(prod, [row('a', 15, 'prod')], { ...VIEW, environment: 'prod' });
      expect(await hist([a(0, 100)], inRangeOnly, { ...VIEW, environment: 'prod' })).toEqual({
        a: [[15, 'prod']],
      });
      expect(await hist([a(0, 100)], inRangeOnly, { ...VIEW, major: 2 })).toEqual({});
    });
  });
});
