import { describe, expect, it } from 'vitest';
import { HyperLogLog, HLL_RELATIVE_ERROR, hashNumber, hashString } from '../../../src/quality/profile/hll';
import { Kll, KLL_K, KLL_RANK_ERROR } from '../../../src/quality/profile/kll';
import { TopK } from '../../../src/quality/profile/topk';

/** Deterministic generator so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** The exact normalised rank of `x` in sorted `values`: fraction of values <= x. */
function exactRank(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
}

describe('HyperLogLog', () => {
  // 3 standard errors: a correct sketch misses this about 3 times in 1000.
  const bound = 3 * HLL_RELATIVE_ERROR;

  it.each([10, 1_000, 50_000, 300_000])('estimates %i distinct numbers within 3 standard errors', (n) => {
    const h = new HyperLogLog();
    for (let i = 0; i < n; i++) {
      h.addHash(hashNumber(i * 1.5));
      h.addHash(hashNumber(i * 1.5)); // repeats do not count
    }
    expect(Math.abs(h.estimate() - n) / n).toBeLessThanOrEqual(bound);
  });

  it('estimates distinct strings and merges into the union', () => {
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    for (let i = 0; i < 40_000; i++) a.addHash(hashString(`user-${i}`));
    for (let i = 20_000; i < 60_000; i++) b.addHash(hashString(`user-${i}`));
    expect(Math.abs(a.estimate() - 40_000) / 40_000).toBeLessThanOrEqual(bound);
    a.merge(b);
    expect(Math.abs(a.estimate() - 60_000) / 60_000).toBeLessThanOrEqual(bound);
    const back = HyperLogLog.fromBase64(a.toBase64());
    expect(back.estimate()).toBe(a.estimate());
  });

  it('counts small sets exactly enough to tell 1 from 2', () => {
    const h = new HyperLogLog();
    expect(h.estimate()).toBe(0);
    h.addHash(hashNumber(1));
    expect(h.estimate()).toBe(1);
    h.addHash(hashNumber(2));
    expect(h.estimate()).toBe(2);
  });
});

describe('KLL', () => {
  function maxRankError(kll: Kll, values: Float64Array): number {
    const sorted = Float64Array.from(values).sort();
    const view = kll.sorted();
    let worst = 0;
    for (let q = 0.01; q < 1; q += 0.01) {
      const x = view.quantile(q)!;
      // The true rank interval of x: [rank of values < x, rank of values <= x].
      const upper = exactRank(sorted, x);
      const lower = exactRank(sorted, x - Math.abs(x) * 1e-12 - 1e-300);
      const err = q < lower ? lower - q : q > upper ? q - upper : 0;
      worst = Math.max(worst, err);
    }
    return worst;
  }

  it.each([
    ['uniform', (r: () => number) => r() * 1000],
    ['normal', (r: () => number) => 50 + 10 * normal(r)],
    ['integers with repeats', (r: () => number) => Math.floor(r() * 30)],
  ])('keeps quantiles of 200 000 %s values within the stated rank error', (_, gen) => {
    const r = rng(7);
    const values = new Float64Array(200_000);
    const kll = new Kll();
    for (let i = 0; i < values.length; i++) kll.add((values[i] = gen(r)));
    expect(kll.n).toBe(values.length);
    expect(kll.sorted().total).toBe(values.length);
    expect(maxRankError(kll, values)).toBeLessThanOrEqual(KLL_RANK_ERROR);
  });

  it('keeps the rank error once its sampler takes the bottom levels (2,000,000 values, merged, through JSON)', () => {
    const r = rng(19);
    const values = new Float64Array(2_000_000);
    const parts = [new Kll(), new Kll(), new Kll()];
    for (let i = 0; i < values.length; i++) {
      // A shifting mixture: the three parts see different distributions.
      const part = i % 3;
      values[i] = part === 0 ? r() * 100 : part === 1 ? 200 + 15 * normal(r) : Math.floor(r() * 7) * 50;
      parts[part]!.add(values[i]!);
    }
    expect(parts[0]!.levelCount).toBeGreaterThan(10); // deep enough that the sampler is in use
    const whole = Kll.fromJSON(JSON.parse(JSON.stringify(parts[0]!.toJSON())));
    whole.merge(Kll.fromJSON(JSON.parse(JSON.stringify(parts[1]!.toJSON()))));
    whole.merge(parts[2]!);
    expect(whole.n).toBe(values.length);
    expect(whole.sorted().total).toBe(values.length);
    expect(maxRankError(whole, values)).toBeLessThanOrEqual(KLL_RANK_ERROR);
    // Bounded size: a few k per level, whatever n.
    const held = whole.toJSON().levels.reduce((n, l) => n + l.length, 0);
    expect(held).toBeLessThan(3 * KLL_K + 2 ** 12);
  });

  it('is exact while it holds every value', () => {
    const kll = new Kll();
    for (let i = 1; i <= 100; i++) kll.add(i);
    const view = kll.sorted();
    expect(view.quantile(0.5)).toBe(50);
    expect(view.quantile(0.99)).toBe(99);
    expect(view.cdf(25)).toBe(0.25);
  });

  it('merges sketches of two halves into the distribution of the whole, and survives JSON', () => {
    const r = rng(11);
    const values = new Float64Array(100_000);
    const a = new Kll();
    const b = new Kll();
    for (let i = 0; i < values.length; i++) {
      values[i] = i < 50_000 ? r() * 10 : 10 + r() * 90;
      (i < 50_000 ? a : b).add(values[i]!);
    }
    const back = Kll.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    back.merge(b);
    expect(back.n).toBe(values.length);
    expect(maxRankError(back, values)).toBeLessThanOrEqual(KLL_RANK_ERROR);
  });
});

describe('TopK', () => {
  it('counts exactly below its capacity and keeps heavy hitters above it (error <= n / C)', () => {
    const t = new TopK(64);
    const exact = new Map<string, number>();
    const r = rng(3);
    for (let i = 0; i < 50_000; i++) {
      // Three heavy values and a long tail of rare ones.
      const v = r() < 0.6 ? ['a', 'b', 'c'][Math.floor(r() * 3)]! : `tail-${Math.floor(r() * 20_000)}`;
      exact.set(v, (exact.get(v) ?? 0) + 1);
      t.increment(v);
    }
    const top = t.top(3);
    expect(top.map((x) => x.value).sort()).toEqual(['a', 'b', 'c']);
    for (const { value, count } of top) {
      expect(count).toBeLessThanOrEqual(exact.get(value)!);
      expect(exact.get(value)! - count).toBeLessThanOrEqual(50_000 / 64);
    }
    const small = new TopK(64);
    for (const v of ['x', 'y', 'x', 'z', 'x', 'y']) small.increment(v);
    expect(small.top(2)).toEqual([
      { value: 'x', count: 3 },
      { value: 'y', count: 2 },
    ]);
  });
});
