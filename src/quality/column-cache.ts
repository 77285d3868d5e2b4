/**
 * Per-batch memo of column aggregates: a contract with min_between, mean_between and
 * stdev_between on the same column reads that column once, not three times.
 */
import type { Value } from '../domain/value';
import type { CleanRows } from '../domain/clean-rows';
import { addValue, emptyStats, type NumericStats } from './aggregates';
import { Profiler, type Profile } from './profile/profile';

export interface DistinctInfo {
  /** Non-null cells. */
  count: number;
  /** Distinct non-null values → row index of their first occurrence and their count. */
  values: Map<Value, { first: number; count: number }>;
}

export class ColumnCache {
  private readonly stats = new Map<string, NumericStats>();
  private readonly sorted = new Map<string, Float64Array>();
  private readonly distinct = new Map<string, DistinctInfo>();
  private readonly profiles = new Map<string, Profile>();

  /** `profiling`: the cache of the rows a run stores, whose columns are profiled anyway. */
  constructor(
    private readonly rows: CleanRows,
    private readonly profiling = false,
  ) {}

  /**
   * The column's profile (profile/profile.ts). The same walk fills the numeric stats,
   * so min_between & co. on a profiled batch read nothing more.
   */
  profile(column: string): Profile {
    let p = this.profiles.get(column);
    if (!p) {
      const profiler = new Profiler(column, 'column');
      const s = emptyStats();
      const codes = this.rows.codes?.(column);
      // A text column kept as dictionary codes: count codes, then each text once.
      if (codes) profiler.addCodes(codes, this.rows.length);
      else {
        const cell = this.rows.column(column);
        for (let i = 0; i < this.rows.length; i++) {
          const v = cell(i);
          if (typeof v === 'number') {
            profiler.count++;
            profiler.addNumber(v);
            if (Number.isFinite(v)) addValue(s, v);
          } else profiler.add(v);
        }
      }
      p = profiler.finish();
      this.profiles.set(column, p);
      this.stats.set(column, s);
    }
    return p;
  }

  /** Stats over the numeric cells of a column; nulls and non-numbers are skipped. */
  numeric(column: string): NumericStats {
    if (this.profiling && !this.stats.has(column)) this.profile(column);
    let s = this.stats.get(column);
    if (!s) {
      s = emptyStats();
      const cell = this.rows.column(column);
      for (let i = 0; i < this.rows.length; i++) {
        const v = cell(i);
        if (typeof v === 'number' && Number.isFinite(v)) addValue(s, v);
      }
      this.stats.set(column, s);
    }
    return s;
  }

  /** The numeric cells sorted ascending (for the median). */
  sortedNumeric(column: string): Float64Array {
    let a = this.sorted.get(column);
    if (!a) {
      a = new Float64Array(this.numeric(column).count);
      let k = 0;
      const cell = this.rows.column(column);
      for (let i = 0; i < this.rows.length; i++) {
        const v = cell(i);
        if (typeof v === 'number' && Number.isFinite(v)) a[k++] = v;
      }
      a.sort();
      this.sorted.set(column, a);
    }
    return a;
  }

  distinctValues(column: string): DistinctInfo {
    let d = this.distinct.get(column);
    if (!d) {
      d = { count: 0, values: new Map() };
      const cell = this.rows.column(column);
      for (let i = 0; i < this.rows.length; i++) {
        const v = cell(i);
        if (v === null) continue;
        d.count++;
        const seen = d.values.get(v);
        if (seen) seen.count++;
        else d.values.set(v, { first: i, count: 1 });
      }
      this.distinct.set(column, d);
    }
    return d;
  }
}
