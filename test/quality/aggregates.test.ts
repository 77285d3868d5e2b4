import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inRange, median, sampleStdev, statsOf } from '../../src/quality/aggregates';
import { mostlyHolds, unexpectedPercent } from '../../src/quality/mostly';

describe('aggregates', () => {
  it('computes the sample standard deviation (n - 1)', () => {
    expect(sampleStdev(statsOf([2, 4, 4, 4, 5, 5, 7, 9]))).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(sampleStdev(statsOf([3]))).toBeNull();
    expect(sampleStdev(statsOf([]))).toBeNull();
  });

  it('stays accurate on large, close values such as epoch ms (Welford)', () => {
    const base = Date.UTC(2024, 0, 1);
    expect(sampleStdev(statsOf([base + 1, base + 2, base + 3]))).toBeCloseTo(1, 9);
  });

  it('agrees with the two-pass formulas', () => {
    const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(fc.array(finite, { minLength: 2, maxLength: 200 }), (xs) => {
        const s = statsOf(xs);
        const m = xs.reduce((a, b) => a + b, 0) / xs.length;
        const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
        expect(s.mean).toBeCloseTo(m, 6);
        expect(sampleStdev(s)!).toBeCloseTo(Math.sqrt(v), 4);
        expect(s.min).toBe(Math.min(...xs));
        expect(s.max).toBe(Math.max(...xs));
      }),
    );
  });

  it('takes the median, averaging the middle pair for even counts, without mutating input', () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(median([-10, 2, 100])).toBe(2);
  });

  it('treats absent bounds as open', () => {
    expect(inRange(5, undefined, undefined)).toBe(true);
    expect(inRange(5, 5, undefined)).toBe(true);
    expect(inRange(5, undefined, 4)).toBe(false);
  });
});

describe('mostly', () => {
  it('defaults to 1 (no unexpected allowed)', () => {
    expect(mostlyHolds(0, 10)).toBe(true);
    expect(mostlyHolds(1, 10)).toBe(false);
  });

  it('does not suffer from 1 - 0.9 rounding', () => {
    expect(mostlyHolds(1, 10, 0.9)).toBe(true);
    expect(mostlyHolds(2, 10, 0.9)).toBe(false);
    expect(mostlyHolds(3, 100, 0.97)).toBe(true);
  });

  it('holds vacuously on no elements; mostly 0 always holds', () => {
    expect(mostlyHolds(0, 0, 1)).toBe(true);
    expect(mostlyHolds(10, 10, 0)).toBe(true);
  });

  it('computes the unexpected percent of elementCount, 0 when empty', () => {
    expect(unexpectedPercent(1, 4)).toBe(25);
    expect(unexpectedPercent(0, 0)).toBe(0);
  });
});
