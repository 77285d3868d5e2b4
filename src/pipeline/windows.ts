/**
 * Window operations over one entity's series (event time ascending, distinct times),
 * each in one pass: O(n) for sum/mean/count/lag/diff, amortised O(n) for min/max
 * (monotonic deque).
 *
 * - `rows: N` covers the current point and the N-1 before it.
 * - `duration: D` covers points with eventTime in (t - D, t]: the start is exclusive,
 *   so P7D over daily data is exactly 7 days, today included.
 * - Aggregates skip nulls and non-numbers (count counts every non-null value); an
 *   empty window gives null (count gives 0).
 * - lag: the value `offset` points back (default 1), null before the series starts.
 *   diff: current - lag, null unless both are numbers: a diff next to a null is null.
 *   With `skipNulls`, lag and diff count back over non-null values only, so a diff is
 *   the change since the last known value (cumulative series with gaps); the current
 *   row's own null still gives null.
 *
 * Sums are exact (Shewchuk partials, correctly rounded once at read): a running
 * sum that adds and subtracts floats drifts with where it started, so the same window
 * would give different last bits in one run and in two runs with history. With exact
 * sums a window's value depends only on the values inside it.
 */
import type { WindowOp } from '../domain/contract';
import type { HistoryPoint } from '../domain/rows';
import type { Value } from '../domain/value';

export interface ResolvedWindow {
  op: WindowOp;
  /** Exactly one of rows / durationMs for aggregates; neither for lag/diff. */
  rows?: number;
  durationMs?: number;
  offset: number;
  /** lag/diff: count back over non-null values only. */
  skipNulls?: boolean;
}

/** One entity's stored history merged with this run's rows, by event time. */
export interface Series {
  times: number[];
  /** Index into the run rows, or -1 for a history point. */
  rowAt: number[];
  history: Array<HistoryPoint | null>;
}

/** History (ascending) and run rows (ascending, distinct times) merged; run rows replace equal-time points. */
export function mergeSeries(rowTimes: readonly number[], history: HistoryPoint[]): Series {
  const series: Series = { times: [], rowAt: [], history: [] };
  let h = 0;
  for (let r = 0; r <= rowTimes.length; r++) {
    const t = r < rowTimes.length ? rowTimes[r]! : Infinity;
    for (; h < history.length && history[h]!.eventTime <= t; h++) {
      if (history[h]!.eventTime === t) continue;
      series.times.push(history[h]!.eventTime);
      series.rowAt.push(-1);
      series.history.push(history[h]!);
    }
    if (r === rowTimes.length) break;
    series.times.push(t);
    series.rowAt.push(r);
    series.history.push(null);
  }
  return series;
}

/**
 * The window's value at each run row. `over` is the run rows' event times when there
 * is no history, else the merged series; run rows read `source[row]`, history points
 * their stored `sourceName`.
 */
export function windowOverRows(
  w: ResolvedWindow,
  over: number[] | Series,
  source: Value[],
  sourceName: string,
): Value[] {
  if (Array.isArray(over)) return computeWindow(w, over, source);
  const n = over.times.length;
  const input = new Array<Value>(n);
  for (let k = 0; k < n; k++) {
    const r = over.rowAt[k]!;
    input[k] = r >= 0 ? source[r]! : (over.history[k]!.values[sourceName] ?? null);
  }
  const output = computeWindow(w, over.times, input);
  const mine = new Array<Value>(source.length);
  for (let k = 0; k < n; k++) if (over.rowAt[k]! >= 0) mine[over.rowAt[k]!] = output[k]!;
  return mine;
}

interface Aggregate {
  enter(v: Value, at: number): void;
  leave(v: Value, at: number): void;
  result(): Value;
}

/** The window's value at every position of the series. `times` and `values` have equal length. */
export function computeWindow(
  w: ResolvedWindow,
  times: readonly number[],
  values: readonly Value[],
): Value[] {
  if (w.op === 'lag' || w.op === 'diff')
    return w.skipNulls ? shiftOverValues(w.op, w.offset, values) : shift(w.op, w.offset, values);
  return slide(w, times, values, makeAggregate(w.op));
}

function shift(op: 'lag' | 'diff', offset: number, values: readonly Value[]): Value[] {
  const out = new Array<Value>(values.length);
  for (let i = 0; i < values.length; i++) {
    const back = i >= offset ? values[i - offset]! : null;
    if (op === 'lag') out[i] = back;
    else {
      const cur = values[i]!;
      out[i] = typeof cur === 'number' && typeof back === 'number' ? finiteOrNull(cur - back) : null;
    }
  }
  return out;
}

/** lag/diff against the `offset`-th previous non-null value. */
function shiftOverValues(op: 'lag' | 'diff', offset: number, values: readonly Value[]): Value[] {
  const out = new Array<Value>(values.length);
  const seen: Value[] = [];
  for (let i = 0; i < values.length; i++) {
    const cur = values[i]!;
    const back = seen.length >= offset ? seen[seen.length - offset]! : null;
    if (cur === null) out[i] = null;
    else if (op === 'lag') out[i] = back;
    else out[i] = typeof cur === 'number' && typeof back === 'number' ? finiteOrNull(cur - back) : null;
    if (cur !== null) seen.push(cur);
  }
  return out;
}

function slide(
  w: ResolvedWindow,
  times: readonly number[],
  values: readonly Value[],
  agg: Aggregate,
): Value[] {
  const out = new Array<Value>(values.length);
  let left = 0;
  for (let i = 0; i < values.length; i++) {
    agg.enter(values[i]!, i);
    while (left < i && outside(w, times, left, i)) {
      agg.leave(values[left]!, left);
      left++;
    }
    out[i] = agg.result();
  }
  return out;
}

function outside(w: ResolvedWindow, times: readonly number[], left: number, i: number): boolean {
  if (w.rows !== undefined) return i - left >= w.rows;
  return times[left]! <= times[i]! - w.durationMs!;
}

function makeAggregate(op: WindowOp): Aggregate {
  switch (op) {
    case 'sum':
      return new SumAggregate(false);
    case 'mean':
      return new SumAggregate(true);
    case 'count':
      return new CountAggregate();
    case 'min':
      return new ExtremeAggregate((a, b) => a <= b);
    case 'max':
      return new ExtremeAggregate((a, b) => a >= b);
    default:
      throw new TypeError(`window op ${op} is not an aggregate`);
  }
}

class CountAggregate implements Aggregate {
  private n = 0;
  enter(v: Value): void {
    if (v !== null) this.n++;
  }
  leave(v: Value): void {
    if (v !== null) this.n--;
  }
  result(): Value {
    return this.n;
  }
}

class SumAggregate implements Aggregate {
  private readonly sum = new ExactSum();
  private readonly window: number[] = [];
  private head = 0;
  constructor(private readonly mean: boolean) {}
  enter(v: Value): void {
    if (typeof v !== 'number') return;
    this.sum.add(v);
    this.window.push(v);
  }
  leave(v: Value): void {
    if (typeof v !== 'number') return;
    this.sum.add(-v);
    this.head++;
    // Compact now and then so the kept copy stays O(window), not O(series).
    if (this.head > 1024 && this.head * 2 > this.window.length) {
      this.window.splice(0, this.head);
      this.head = 0;
    }
    // A partial overflowed (only near ±1.8e308): rebuild from the values still inside.
    if (!this.sum.finite()) this.sum.reset(this.window, this.head);
  }
  result(): Value {
    const n = this.window.length - this.head;
    if (n === 0) return null;
    const total = this.sum.value();
    return finiteOrNull(this.mean ? total / n : total);
  }
}

/** Min or max by a monotonic deque of positions: the front is always the answer. */
class ExtremeAggregate implements Aggregate {
  private readonly at: number[] = [];
  private readonly val: number[] = [];
  private head = 0;
  /** `keeps(a, b)`: an older `a` stays in front of a newer `b` (a <= b for min). */
  constructor(private readonly keeps: (a: number, b: number) => boolean) {}
  enter(v: Value, at: number): void {
    if (typeof v !== 'number') return;
    while (this.val.length > this.head && !this.keeps(this.val[this.val.length - 1]!, v)) {
      this.val.pop();
      this.at.pop();
    }
    this.val.push(v);
    this.at.push(at);
  }
  leave(_v: Value, at: number): void {
    if (this.val.length > this.head && this.at[this.head] === at) this.head++;
  }
  result(): Value {
    return this.val.length > this.head ? this.val[this.head]! : null;
  }
}

/**
 * Exact floating-point sum (Shewchuk / Python's math.fsum): the partials hold the
 * exact running total as non-overlapping doubles, so adding -x undoes adding x
 * exactly, and `value()` rounds the exact total once, correctly.
 */
export class ExactSum {
  private partials: number[] = [];

  add(value: number): void {
    const p = this.partials;
    let x = value;
    let i = 0;
    for (let j = 0; j < p.length; j++) {
      let y = p[j]!;
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    p.length = i;
    p.push(x);
  }

  finite(): boolean {
    return Number.isFinite(this.partials[this.partials.length - 1] ?? 0);
  }

  reset(values: readonly number[], from: number): void {
    this.partials = [];
    for (let i = from; i < values.length; i++) this.add(values[i]!);
  }

  value(): number {
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n]!;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n]!;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // Round half to even across the boundary the loop stopped at (as CPython's fsum does).
    if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}

/** Also folds -0 into 0: which zero a sum lands on depends on the path, not on the window. */
function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n + 0 : null;
}
