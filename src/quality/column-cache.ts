/**
 * Per-batch memo of column aggregates: a contract with min_between, mean_between and
 * stdev_between on the same column reads that column once, not three times.
 */
import type { Value } from '../domain/value';
import type { CleanRows } from '../domain/clean-rows';
import { addValue, emptyStats, type NumericStats } from './aggregates';

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

  constructor(private readonly rows: CleanRows) {}

  /** Stats over the numeric cells of a column; nulls and non-numbers are skipped. */
  numeric(column: string): NumericStats {
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
