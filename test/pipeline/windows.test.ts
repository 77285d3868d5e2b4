import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WindowOp } from '../../src/domain/contract';
import type { Value } from '../../src/domain/value';
import { computeWindow, ExactSum, type ResolvedWindow } from '../../src/pipeline/windows';

const DAY = 86_400_000;
const days = (...d: number[]) => d.map((x) => x * DAY);
const seq = (n: number) => Array.from({ length: n }, (_, i) => i * DAY);

/** The obvious O(n·window) definition, with a fresh exact sum per window. */
function reference(w: ResolvedWindow, times: number[], values: Value[]): Value[] {
  return values.map((cur, i) => {
    if (w.op === 'lag' || w.op === 'diff') {
      const back = i >= w.offset ? values[i - w.offset]! : null;
      if (w.op === 'lag') return back;
      return typeof cur === 'number' && typeof back === 'number' ? cur - back + 0 : null;
    }
    const inside = values.filter((_, j) =>
      j > i ? false : w.rows !== undefined ? i - j < w.rows : times[j]! > times[i]! - w.durationMs!,
    );
    if (w.op === 'count') return inside.filter((v) => v !== null).length;
    const nums = inside.filter((v): v is number => typeof v === 'number');
    if (nums.length === 0) return null;
    if (w.op === 'min') return Math.min(...nums);
    if (w.op === 'max') return Math.max(...nums);
    const sum = new ExactSum();
    nums.forEach((n) => sum.add(n));
    const total = w.op === 'mean' ? sum.value() / nums.length : sum.value();
    return total + 0;
  });
}

describe('rows windows', () => {
  const v: Value[] = [1, 2, null, 4, 'x', 6];
  const t = seq(v.length);
  it('sum skips nulls and non-numbers over the last N rows', () => {
    expect(computeWindow({ op: 'sum', rows: 3, offset: 1 }, t, v)).toEqual([1, 3, 3, 6, 4, 10]);
  });
  it('mean divides by the count of numbers', () => {
    expect(computeWindow({ op: 'mean', rows: 2, offset: 1 }, t, v)).toEqual([1, 1.5, 2, 4, 4, 6]);
  });
  it('count counts every non-null value', () => {
    expect(computeWindow({ op: 'count', rows: 3, offset: 1 }, t, v)).toEqual([1, 2, 2, 2, 2, 3]);
  });
  it('min and max slide out old extremes', () => {
    const w: Value[] = [5, 1, 3, 4, 2, 9, 0];
    expect(computeWindow({ op: 'min', rows: 3, offset: 1 }, seq(7), w)).toEqual([5, 1, 1, 1, 2, 2, 0]);
    expect(computeWindow({ op: 'max', rows: 3, offset: 1 }, seq(7), w)).toEqual([5, 5, 5, 4, 4, 9, 9]);
  });
  it('an all-null window is null, and count is 0', () => {
    const w: Value[] = [1, null, null];
    expect(computeWindow({ op: 'sum', rows: 2, offset: 1 }, seq(3), w)).toEqual([1, 1, null]);
    expect(computeWindow({ op: 'min', rows: 2, offset: 1 }, seq(3), w)).toEqual([1, 1, null]);
    expect(computeWindow({ op: 'count', rows: 2, offset: 1 }, seq(3), w)).toEqual([1, 1, 0]);
  });
  it('rows: 1 is the value itself', () => {
    expect(computeWindow({ op: 'sum', rows: 1, offset: 1 }, t, v)).toEqual([1, 2, null, 4, null, 6]);
  });
});

describe('duration windows', () => {
  // Days 0, 1, 2, 5, 6, 13.
  const t = days(0, 1, 2, 5, 6, 13);
  const v: Value[] = [1, 2, 3, 4, 5, 6];
  it('cover (t - D, t]: the start is exclusive', () => {
    expect(computeWindow({ op: 'sum', durationMs: 2 * DAY, offset: 1 }, t, v)).toEqual([1, 3, 5, 4, 9, 6]);
    expect(computeWindow({ op: 'count', durationMs: 7 * DAY, offset: 1 }, t, v)).toEqual([1, 2, 3, 4, 5, 1]);
  });
  it('mean, min and max follow the same bounds', () => {
    expect(computeWindow({ op: 'mean', durationMs: 3 * DAY, offset: 1 }, t, v)).toEqual([
      1, 1.5, 2, 4, 4.5, 6,
    ]);
    expect(computeWindow({ op: 'min', durationMs: 5 * DAY, offset: 1 }, t, v)).toEqual([1, 1, 1, 2, 3, 6]);
    expect(computeWindow({ op: 'max', durationMs: 5 * DAY, offset: 1 }, t, v)).toEqual([1, 2, 3, 4, 5, 6]);
  });
  it('P7D over daily data is exactly 7 rows', () => {
    const daily = seq(10);
    const ones: Value[] = daily.map(() => 1);
    expect(computeWindow({ op: 'sum', durationMs: 7 * DAY, offset: 1 }, daily, ones).at(-1)).toBe(7);
  });
});

describe('lag and diff', () => {
  const v: Value[] = [10, 12, null, 20, 'x'];
  it('lag returns the value offset rows back', () => {
    expect(computeWindow({ op: 'lag', offset: 1 }, seq(5), v)).toEqual([null, 10, 12, null, 20]);
    expect(computeWindow({ op: 'lag', offset: 2 }, seq(5), v)).toEqual([null, null, 10, 12, null]);
  });
  it('diff is current minus lag, null unless both are numbers', () => {
    expect(computeWindow({ op: 'diff', offset: 1 }, seq(5), v)).toEqual([null, 2, null, null, null]);
    expect(computeWindow({ op: 'diff', offset: 3 }, seq(5), v)).toEqual([null, null, null, 10, null]);
  });
  it('with skipNulls, diff is the change since the last non-null value; a null row stays null', () => {
    const cumulative: Value[] = [10, null, null, 15, null, 21];
    expect(computeWindow({ op: 'diff', offset: 1 }, seq(6), cumulative)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(computeWindow({ op: 'diff', offset: 1, skipNulls: true }, seq(6), cumulative)).toEqual([
      null,
      null,
      null,
      5,
      null,
      6,
    ]);
  });
  it('with skipNulls, lag counts back over non-null values', () => {
    expect(
      computeWindow({ op: 'lag', offset: 2, skipNulls: true }, seq(6), [1, null, 2, 3, null, 4]),
    ).toEqual([null, null, null, 1, null, 2]);
  });
});

describe('ExactSum', () => {
  it('rounds the exact total once', () => {
    const s = new ExactSum();
    [0.1, 0.2, 0.3].forEach((x) => s.add(x));
    expect(s.value()).toBe(0.6);
    const big = new ExactSum();
    [1e100, 1, -1e100].forEach((x) => big.add(x));
    expect(big.value()).toBe(1);
  });

  it('depends only on the multiset of values, not on the order or on removals', () => {
    const doubles = fc.array(fc.double({ min: -1e12, max: 1e12, noNaN: true }), { maxLength: 30 });
    fc.assert(
      fc.property(doubles, doubles, (xs, extra) => {
        const forward = new ExactSum();
        xs.forEach((x) => forward.add(x));
        const noisy = new ExactSum();
        [...extra, ...[...xs].reverse()].forEach((x) => noisy.add(x));
        extra.forEach((x) => noisy.add(-x));
        expect(noisy.value() + 0).toBe(forward.value() + 0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('every op against the reference definition', () => {
  const ops: WindowOp[] = ['sum', 'mean', 'min', 'max', 'count'];
  const cell = fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 4, arbitrary: fc.double({ min: -1e9, max: 1e9, noNaN: true }) },
    { weight: 4, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  );
  const series = fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), cell), { maxLength: 60 });
  const window = fc.oneof(
    fc.record({ op: fc.constantFrom(...ops), rows: fc.integer({ min: 1, max: 8 }), offset: fc.constant(1) }),
    fc.record({
      op: fc.constantFrom(...ops),
      durationMs: fc.integer({ min: 1, max: 10 }).map((d) => d * DAY),
      offset: fc.constant(1),
    }),
    fc.record({ op: fc.constantFrom<WindowOp>('lag', 'diff'), offset: fc.integer({ min: 1, max: 4 }) }),
  );

  it('matches on random series', () => {
    fc.assert(
      fc.property(window, series, (w, points) => {
        let t = 0;
        const times = points.map(([gap]) => (t += gap * DAY));
        const values = points.map(([, v]) => v);
        expect(computeWindow(w, times, values)).toEqual(reference(w, times, values));
      }),
      { numRuns: 500 },
    );
  });

  it('stays linear on a long series', () => {
    const n = 200_000;
    const values: Value[] = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : Math.sin(i) * 100));
    const started = performance.now();
    for (const op of ops) computeWindow({ op, rows: 5000, offset: 1 }, seq(n), values);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
