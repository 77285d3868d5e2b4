/**
 * RangeCache (src/serving/range-cache.ts), the bulk join's in-memory copy of entity
 * ranges: rows arrive flat (event time, rank, committed at, row id, run seq, values: the
 * entity-ranges statement's RANGE_STRIDE items), are kept one per event time (the greater
 * rank, then the later commit, then the greater row id) in event-time order, and a request
 * finds the row of greatest event time <= at (and > at - ttl). A numeric column that meets
 * a value that is no number becomes a column of values without losing the rows before;
 * entities spread over several segments keep their own rows.
 */
import { describe, expect, it } from 'vitest';
import { RangeCache, type Slot } from '../../src/serving/range-cache';
import { RANGE_STRIDE } from '../../src/store/entity-ranges.sql';
import type { RangeRows } from '../../src/store/feature-rows.types';
import type { Value } from '../../src/domain/value';

interface Row {
  time: number;
  rank: number;
  committed: number;
  id: number;
  run: number;
  values: Record<string, Value>;
}

/** Rows as the store sends them: flat, RANGE_STRIDE items a row. */
const flat = (rows: Row[]): RangeRows =>
  rows.flatMap((r) => [r.time, r.rank, r.committed, r.id, r.run, r.values]);

let nextId = 1;
const row = (time: number, values: Record<string, Value>, over: Partial<Row> = {}): Row => ({
  time,
  rank: 100,
  committed: 100,
  id: nextId++,
  run: 1,
  values,
  ...over,
});

/** What `find` answers at `at`: the matched row's time, run and values, or null. */
function lookup(cache: RangeCache, slot: Slot, names: string[], at: number, ttl?: number) {
  const p = cache.find(slot, at, ttl);
  if (p < 0) return null;
  return {
    time: cache.time(p),
    run: cache.runSeq(p),
    values: Object.fromEntries(names.map((n, j) => [n, cache.value(j, p)])),
  };
}

describe('RangeCache', () => {
  it('reads RANGE_STRIDE items a row', () => {
    expect(RANGE_STRIDE).toBe(6);
  });

  it('sorts rows that arrive out of event-time order', () => {
    const cache = new RangeCache(['v'], [true]);
    const slot = cache.add(
      'a',
      flat([row(30, { v: 3 }, { run: 3 }), row(10, { v: 1 }, { run: 1 }), row(20, { v: 2 }, { run: 2 })]),
    );
    expect(slot.end - slot.start).toBe(3);
    expect(lookup(cache, slot, ['v'], 9)).toBeNull();
    expect(lookup(cache, slot, ['v'], 10)).toEqual({ time: 10, run: 1, values: { v: 1 } });
    expect(lookup(cache, slot, ['v'], 15)).toEqual({ time: 10, run: 1, values: { v: 1 } });
    expect(lookup(cache, slot, ['v'], 20)).toEqual({ time: 20, run: 2, values: { v: 2 } });
    expect(lookup(cache, slot, ['v'], 29.5)).toEqual({ time: 20, run: 2, values: { v: 2 } });
    expect(lookup(cache, slot, ['v'], 30)).toEqual({ time: 30, run: 3, values: { v: 3 } });
    expect(lookup(cache, slot, ['v'], 1e15)).toEqual({ time: 30, run: 3, values: { v: 3 } });
    // Stored positions are in time order too.
    expect(cache.find(slot, 1e15, undefined)).toBe(slot.start + 2);
    expect([0, 1, 2].map((k) => cache.time(slot.start + k))).toEqual([10, 20, 30]);
  });

  describe('several rows at one event time: one wins', () => {
    const winner = (rows: Row[]) => {
      const cache = new RangeCache(['w'], [false]);
      const slot = cache.add('a', flat(rows));
      expect(slot.end - slot.start).toBe(new Set(rows.map((r) => r.time)).size);
      return lookup(cache, slot, ['w'], rows[0]!.time);
    };

    it('the greater rank first, over a later commit and a greater id', () => {
      const high = row(10, { w: 'high' }, { rank: 7, committed: 1, id: 1, run: 7 });
      const low = row(10, { w: 'low' }, { rank: 5, committed: 9, id: 2, run: 5 });
      expect(winner([high, low])).toEqual({ time: 10, run: 7, values: { w: 'high' } });
      expect(winner([low, high])).toEqual({ time: 10, run: 7, values: { w: 'high' } });
    });

    it('at equal rank, the later commit, over a greater id', () => {
      const late = row(10, { w: 'late' }, { rank: 5, committed: 9, id: 1, run: 9 });
      const early = row(10, { w: 'early' }, { rank: 5, committed: 6, id: 2, run: 6 });
      expect(winner([late, early])).toEqual({ time: 10, run: 9, values: { w: 'late' } });
      expect(winner([early, late])).toEqual({ time: 10, run: 9, values: { w: 'late' } });
    });

    it('at equal rank and commit, the greater row id', () => {
      const a = row(10, { w: 'a' }, { rank: 5, committed: 5, id: 41 });
      const b = row(10, { w: 'b' }, { rank: 5, committed: 5, id: 42 });
      expect(winner([a, b])?.values).toEqual({ w: 'b' });
      expect(winner([b, a])?.values).toEqual({ w: 'b' });
    });

    it('among many rows, and ties at several times in rows out of order', () => {
      const rows = [
        row(20, { w: '20-low' }, { rank: 1, committed: 50, id: 9 }),
        row(10, { w: '10-a' }, { rank: 3, committed: 3, id: 1 }),
        row(20, { w: '20-win' }, { rank: 2, committed: 2, id: 3 }),
        row(10, { w: '10-win' }, { rank: 3, committed: 4, id: 2 }),
        row(30, { w: '30' }, { rank: 0, committed: 0, id: 4 }),
        row(10, { w: '10-b' }, { rank: 2, committed: 99, id: 99 }),
        row(20, { w: '20-mid' }, { rank: 2, committed: 1, id: 100 }),
      ];
      const cache = new RangeCache(['w'], [false]);
      const slot = cache.add('a', flat(rows));
      expect(slot.end - slot.start).toBe(3);
      expect(lookup(cache, slot, ['w'], 10)?.values.w).toBe('10-win');
      expect(lookup(cache, slot, ['w'], 25)?.values.w).toBe('20-win');
      expect(lookup(cache, slot, ['w'], 30)?.values.w).toBe('30');
    });
  });

  describe('find', () => {
    const cache = new RangeCache(['v'], [true]);
    const slot = cache.add('a', flat([row(10, { v: 1 }), row(20, { v: 2 }), row(40, { v: 4 })]));
    const at = (t: number, ttl?: number) => lookup(cache, slot, ['v'], t, ttl)?.time ?? null;

    it('at, before and after the rows', () => {
      expect(at(-1)).toBeNull();
      expect(at(9)).toBeNull();
      expect(at(10)).toBe(10);
      expect(at(19)).toBe(10);
      expect(at(20)).toBe(20);
      expect(at(39)).toBe(20);
      expect(at(40)).toBe(40);
      expect(at(41)).toBe(40);
    });

    it('with a TTL: event time exactly at is included, exactly at - ttl excluded', () => {
      expect(at(20, 5)).toBe(20); // at itself
      expect(at(24, 5)).toBe(20); // 20 > 19
      expect(at(25, 5)).toBeNull(); // 20 = 25 - 5: too old
      expect(at(30, 20)).toBe(20); // 20 > 10
      expect(at(30, 10)).toBeNull(); // 20 = 30 - 10
      expect(at(30, 11)).toBe(20);
      expect(at(9, 100)).toBeNull(); // no row at or before
      expect(at(39, 19)).toBeNull(); // 20 = 39 - 19
      expect(at(39, 19.5)).toBe(20);
      expect(at(39, 1_000)).toBe(20); // the newest at or before, not an older one within the TTL
      expect(at(40, 1)).toBe(40);
      expect(at(40, 0)).toBeNull(); // nothing is newer than at - 0 and at or before at
    });

    it('in an entity with no rows, nothing', () => {
      const empty = cache.add('none', []);
      expect(empty.end - empty.start).toBe(0);
      expect(cache.find(empty, 1e15, undefined)).toBe(-1);
      // The earlier entity is still read after the empty one.
      expect(at(20)).toBe(20);
    });
  });

  it('gives null for a missing or null value, NaN as a number', () => {
    const cache = new RangeCache(['n', 's', 'b'], [true, false, false]);
    const slot = cache.add(
      'a',
      flat([row(1, { n: null, s: null, b: null }), row(2, {}), row(3, { n: 0, s: '', b: false })]),
    );
    expect(lookup(cache, slot, ['n', 's', 'b'], 1)?.values).toEqual({ n: null, s: null, b: null });
    expect(cache.number(0, cache.find(slot, 1, undefined))).toBeNaN();
    expect(lookup(cache, slot, ['n', 's', 'b'], 2)?.values).toEqual({ n: null, s: null, b: null });
    expect(lookup(cache, slot, ['n', 's', 'b'], 3)?.values).toEqual({ n: 0, s: '', b: false });
    expect(cache.number(0, cache.find(slot, 3, undefined))).toBe(0);
  });

  it('switches a numeric column that meets a string to values, keeping the earlier ones', () => {
    const names = ['n', 'm'];
    const cache = new RangeCache(names, [true, true]);
    const a = cache.add(
      'a',
      flat([row(1, { n: 1, m: 10 }), row(2, { n: null, m: 20 }), row(3, { n: 2.5, m: 30 })]),
    );
    // The switch in the middle of an entity: the rows before it in that entity are kept too.
    const b = cache.add(
      'b',
      flat([row(1, { n: -7, m: 1 }), row(2, { n: 'x', m: 2 }), row(3, { n: 8, m: 3 }), row(4, { m: 4 })]),
    );
    const c = cache.add('c', flat([row(1, { n: 9, m: 5 }), row(2, { n: true, m: 6 })]));
    const read = (slot: Slot, t: number) => lookup(cache, slot, names, t)?.values;
    expect([1, 2, 3].map((t) => read(a, t))).toEqual([
      { n: 1, m: 10 },
      { n: null, m: 20 },
      { n: 2.5, m: 30 },
    ]);
    expect([1, 2, 3, 4].map((t) => read(b, t))).toEqual([
      { n: -7, m: 1 },
      { n: 'x', m: 2 },
      { n: 8, m: 3 },
      { n: null, m: 4 },
    ]);
    expect([1, 2].map((t) => read(c, t))).toEqual([
      { n: 9, m: 5 },
      { n: true, m: 6 },
    ]);
    // As numbers: a value that is no number (or null) is NaN; numbers stay numbers.
    const num = (slot: Slot, t: number, j: number) => cache.number(j, cache.find(slot, t, undefined));
    expect(num(a, 1, 0)).toBe(1);
    expect(num(a, 2, 0)).toBeNaN();
    expect(num(b, 2, 0)).toBeNaN();
    expect(num(b, 3, 0)).toBe(8);
    expect(num(c, 2, 0)).toBeNaN();
    expect(num(b, 4, 1)).toBe(4);
  });

  it('keeps many entities apart over several segments (more than 65,536 rows)', () => {
    const names = ['v', 'label'];
    const cache = new RangeCache(names, [true, false]);
    const entities = 1_500;
    const perEntity = (e: number) => 40 + (e % 37); // 40..76 rows: ~87,000 in all
    let total = 0;
    const slots: Slot[] = [];
    for (let e = 0; e < entities; e++) {
      const rows: Row[] = [];
      for (let k = 0; k < perEntity(e); k++)
        rows.push(row(k * 10, { v: e * 1_000 + k, label: `e${e}` }, { run: e }));
      total += rows.length;
      slots.push(cache.add(`e${e}`, flat(rows)));
    }
    // One entity bigger than a segment gets a segment of its own size.
    const big = 70_000;
    const bigRows: Row[] = Array.from({ length: big }, (_, k) =>
      row(k, { v: -k, label: 'big' }, { run: -1 }),
    );
    const bigSlot = cache.add('big', flat(bigRows));
    const after = cache.add('after', flat([row(5, { v: 5, label: 'after' }, { run: 5 })]));
    total += big + 1;

    expect(total).toBeGreaterThan(2 * 65_536);
    expect(cache.size).toBe(entities + 2);
    expect(new Set(slots.map((s) => s.seg)).size).toBeGreaterThan(1);
    expect(bigSlot.seg).not.toBe(slots.at(-1)!.seg);
    expect(after.seg).not.toBe(bigSlot.seg);
    expect(cache.slot('e7')).toBe(slots[7]);
    expect(cache.slot('absent')).toBeUndefined();
    expect(new Set(cache.runs())).toEqual(new Set([...Array.from({ length: entities }, (_, e) => e), -1, 5]));

    // Read in an order that jumps between segments: each entity finds only its own rows.
    for (let e = 0; e < entities; e++) {
      const q = (e * 7_919) % entities;
      const slot = cache.slot(`e${q}`)!;
      const n = perEntity(q);
      expect(slot.end - slot.start).toBe(n);
      expect(lookup(cache, slot, names, -1)).toBeNull();
      expect(lookup(cache, slot, names, 0)).toEqual({
        time: 0,
        run: q,
        values: { v: q * 1_000, label: `e${q}` },
      });
      const k = (e * 13) % n;
      expect(lookup(cache, slot, names, k * 10 + 5)).toEqual({
        time: k * 10,
        run: q,
        values: { v: q * 1_000 + k, label: `e${q}` },
      });
      expect(lookup(cache, slot, names, 1e12)?.values).toEqual({ v: q * 1_000 + n - 1, label: `e${q}` });
      if (e % 100 === 0) {
        expect(lookup(cache, bigSlot, names, 65_600)).toEqual({
          time: 65_600,
          run: -1,
          values: { v: -65_600, label: 'big' },
        });
        expect(lookup(cache, after, names, 6)).toEqual({ time: 5, run: 5, values: { v: 5, label: 'after' } });
      }
    }
    expect(lookup(cache, bigSlot, names, 1e12)?.time).toBe(big - 1);
    expect(cache.bytes).toBeGreaterThan(0);

    // Released: every segment's arrays are given back (detached), the entities forgotten.
    const segments = [...new Set([...slots, bigSlot, after].map((s) => s.seg))];
    cache.release();
    for (const seg of segments) expect([seg.time.length, seg.run.length, seg.num.length]).toEqual([0, 0, 0]);
    expect(cache.size).toBe(0);
    expect(cache.slot('e7')).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});
