/**
 * A run's profile of one column or feature, as stored (run_profiles) and served. The
 * sketches' states are plain data here so the store can hold them without the code that
 * builds them (quality/profile/).
 */

export interface KllState {
  k: number;
  n: number;
  /** levels[h]: the items of level h, each of weight 2^h. */
  levels: number[][];
}

export interface TopKState {
  /** Values seen (the n of the error bound). */
  n: number;
  counts: Array<[string, number]>;
}

export type ProfileKind = 'column' | 'feature';
export type ValueKind = 'numeric' | 'text';

export interface HistogramBin {
  lo: number;
  hi: number;
  count: number;
}

export interface TopValue {
  value: string;
  count: number;
}

/** What a run stores per column / feature (run_profiles.profile). */
export interface Profile {
  name: string;
  kind: ProfileKind;
  valueKind: ValueKind;
  /** Rows seen, nulls included. */
  count: number;
  nulls: number;
  /** HyperLogLog estimate of the distinct non-null values. */
  distinct: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Sample standard deviation (n - 1), like stdev_between. */
  stddev: number | null;
  /** p1, p5, p25, p50, p75, p95, p99 (numbers only). */
  quantiles: Record<string, number> | null;
  /** HISTOGRAM_BINS equal bins between min and max (numbers only). */
  histogram: HistogramBin[] | null;
  /** The most frequent values (text and booleans only). */
  topValues: TopValue[] | null;
  /** The sketches and moments, for merging into a baseline. */
  sketch: { hll: string; m2: number; kll?: KllState; topk?: TopKState };
}

/** `baseline:` of a drift expectation: the last N succeeded runs, or one pinned run. */
export type BaselineSpec = { last: number } | { run: string };
