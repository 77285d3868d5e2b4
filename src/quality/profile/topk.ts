import type { TopKState } from '../../domain/profile';
export type { TopKState } from '../../domain/profile';
/**
 * Heavy hitters of a text column (Misra–Gries, batch-decrement variant): counts per
 * value in a map of at most 2·C entries; when it fills, the C-th largest count is
 * subtracted from every entry and the ones at or below zero leave. Each reported count
 * is low by at most n / C (n = values seen), and exact while the column has fewer
 * than 2·C distinct values, the usual case for the categories top values describe.
 * Amortised O(1) per value; mergeable (counts add, then the same trim).
 */

export const TOPK_CAPACITY = 256;

export class TopK {
  n = 0;
  private readonly counts = new Map<string, number>();

  constructor(private readonly capacity = TOPK_CAPACITY) {}

  /** Counts one value; true when it was already held (its hash is then already in the HLL). */
  increment(value: string): boolean {
    this.n++;
    const c = this.counts.get(value);
    if (c !== undefined) {
      this.counts.set(value, c + 1);
      return true;
    }
    this.counts.set(value, 1);
    if (this.counts.size >= 2 * this.capacity) this.trim();
    return false;
  }

  /** Counts `k` occurrences of one value at once (a dictionary's exact count). */
  incrementBy(value: string, k: number): void {
    this.n += k;
    this.counts.set(value, (this.counts.get(value) ?? 0) + k);
    if (this.counts.size >= 2 * this.capacity) this.trim();
  }

  private trim(): void {
    const sorted = [...this.counts.values()].sort((a, b) => b - a);
    const cut = sorted[this.capacity - 1] ?? 0;
    for (const [v, c] of this.counts) {
      if (c <= cut) this.counts.delete(v);
      else this.counts.set(v, c - cut);
    }
  }

  merge(other: TopK): void {
    this.n += other.n;
    for (const [v, c] of other.counts) this.counts.set(v, (this.counts.get(v) ?? 0) + c);
    if (this.counts.size >= 2 * this.capacity) this.trim();
  }

  /** The `limit` largest counts, most frequent first (ties by value, for stable output). */
  top(limit: number): Array<{ value: string; count: number }> {
    return this.ordered()
      .slice(0, limit)
      .map(([value, count]) => ({ value, count }));
  }

  private ordered(): Array<[string, number]> {
    return [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Every held value's count (for drift over categories). */
  entries(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /** In count order: the same counts serialise alike whatever order the values came in. */
  toJSON(): TopKState {
    return { n: this.n, counts: this.ordered() };
  }

  static fromJSON(s: TopKState): TopK {
    const t = new TopK();
    t.n = s.n;
    for (const [v, c] of s.counts) t.counts.set(v, c);
    return t;
  }
}
