/**
 * Column aggregates for the *_between table expectations. Plain functions over
 * numbers; single pass except the median, which has to sort.
 */

export interface NumericStats {
  count: number;
  sum: number;
  min: number;
  max: number;
  mean: number;
  /** Sum of squared deviations from the mean (Welford's M2). */
  m2: number;
}

export function emptyStats(): NumericStats {
  return { count: 0, sum: 0, min: Infinity, max: -Infinity, mean: 0, m2: 0 };
}

/**
 * Welford's online update: one pass, and numerically stable where the textbook
 * sum-of-squares formula cancels catastrophically on large, close values (epoch ms).
 */
export function addValue(s: NumericStats, x: number): void {
  s.count++;
  s.sum += x;
  if (x < s.min) s.min = x;
  if (x > s.max) s.max = x;
  const delta = x - s.mean;
  s.mean += delta / s.count;
  s.m2 += delta * (x - s.mean);
}

export function statsOf(values: Iterable<number>): NumericStats {
  const s = emptyStats();
  for (const x of values) addValue(s, x);
  return s;
}

export function mean(s: NumericStats): number | null {
  return s.count === 0 ? null : s.mean;
}

/**
 * Sample standard deviation (divides by n - 1), as pandas' `std()` and Great
 * Expectations' column.standard_deviation do: a batch is a sample of the feature's
 * population. Undefined (null) below two values.
 */
export function sampleStdev(s: NumericStats): number | null {
  return s.count < 2 ? null : Math.sqrt(s.m2 / (s.count - 1));
}

/** Median of values already sorted ascending; the mean of the middle two for even n. */
export function medianOfSorted(sorted: ArrayLike<number>): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = n >> 1;
  if (n % 2 === 1) return sorted[mid]!;
  return (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median of any numbers: copies into a Float64Array, whose sort is numeric and in place. */
export function median(values: ArrayLike<number>): number | null {
  const copy = Float64Array.from(values);
  copy.sort();
  return medianOfSorted(copy);
}

/** Inclusive range test; an absent bound is open. */
export function inRange(x: number, min: number | undefined, max: number | undefined): boolean {
  return (min === undefined || x >= min) && (max === undefined || x <= max);
}
