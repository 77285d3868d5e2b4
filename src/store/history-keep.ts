/**
 * The rows the history statement found, cut to what FeatureRepository.history promises:
 * per entity one row per event time (the greater precedence, then the later committed
 * run, then the later row), every row from `from` on, and before `from` only those a
 * rule keeps: the newest `maxRows`, those within `maxDurationMs` of `from`, and for each
 * `lastNonNull` feature its newest rows where it is not null. The statement's `lo` has
 * already dropped everything older than the oldest row any rule keeps; this step needs
 * only the few rows per entity that remain, so it is done here in one pass rather than
 * by window functions that sort every row in the database.
 */
import type { HistoryOptions } from './feature-rows.types';
import type { Value } from '../domain/value';
import type { HistoryPoint } from '../domain/rows';

/**
 * One row of the history statement: a request and its rows, as JSON text on SQLite and
 * already parsed on PostgreSQL (which also returns `tmin`, a bigint, as text).
 */
export interface HistoryRow {
  ek: string;
  tmin: number | string;
  found: string | Item[] | null;
}

/** One row found: [event time, precedence, committed at, row id, feature values]. */
type Item = [number, number, number, number, Record<string, Value>];

/** True when `a` wins over `b` at the same event time: the rule of `order` in history.sql.ts. */
function wins(a: Item, b: Item): boolean {
  if (a[1] !== b[1]) return a[1] > b[1];
  if (a[2] !== b[2]) return a[2] > b[2];
  return a[3] > b[3];
}

const present = (v: Value | undefined) => v !== null && v !== undefined;

/** The kept points per entity, added to `out` (a map per call when not given). */
export function keepHistory(
  rows: Iterable<HistoryRow>,
  opts: HistoryOptions,
  out = new Map<string, HistoryPoint[]>(),
): Map<string, HistoryPoint[]> {
  const nonNull = Object.entries(opts.lastNonNull ?? {}).filter(([, n]) => n > 0);
  for (const r of rows) {
    const list = typeof r.found === 'string' ? (JSON.parse(r.found) as Item[]) : r.found;
    if (!list?.length) continue;
    const points = keepBefore(winners(list), Number(r.tmin), opts, nonNull);
    if (points.length) out.set(r.ek, points); // callers read "no entry" as "no history"
  }
  return out;
}

/**
 * One row per event time, ascending. The index hands rows over in time order, one per
 * time unless a later run restated it, so the list usually comes back as it is.
 */
function winners(found: Item[]): Item[] {
  let ordered = true;
  let distinct = true;
  for (let i = 1; i < found.length && ordered; i++) {
    const step = found[i]![0] - found[i - 1]![0];
    if (step < 0) ordered = false;
    else if (step === 0) distinct = false;
  }
  if (ordered && distinct) return found;
  if (!ordered) found.sort((a, b) => a[0] - b[0]);
  const out: Item[] = [];
  for (const c of found) {
    const last = out[out.length - 1];
    if (last && last[0] === c[0]) {
      if (wins(c, last)) out[out.length - 1] = c;
    } else out.push(c);
  }
  return out;
}

/**
 * `found` (ascending, one per event time) as points, without the rows before `tmin` that
 * no rule keeps. The count and duration rules keep a run of the newest rows before
 * `tmin`; a `lastNonNull` feature may reach further back, row by row.
 */
function keepBefore(
  found: Item[],
  tmin: number,
  opts: HistoryOptions,
  nonNull: Array<[string, number]>,
): HistoryPoint[] {
  let split = found.length;
  while (split > 0 && found[split - 1]![0] >= tmin) split--;
  // Ranks count from the newest row before `from`, as the rules do.
  let start = split;
  if (opts.maxRows !== null) start = Math.max(0, split - opts.maxRows);
  if (opts.maxDurationMs !== null) {
    const oldest = tmin - opts.maxDurationMs;
    let i = split;
    while (i > 0 && found[i - 1]![0] >= oldest) i--;
    start = Math.min(start, i);
  }
  const earlier: number[] = [];
  for (const [name, count] of nonNull) {
    let seen = 0;
    for (let i = split - 1; i >= 0 && seen < count; i--) {
      if (!present(found[i]![4][name])) continue;
      seen++;
      if (i < start) earlier.push(i);
    }
  }
  const points: HistoryPoint[] = [];
  if (earlier.length) {
    for (const i of [...new Set(earlier)].sort((a, b) => a - b)) points.push(point(found[i]!));
  }
  for (let i = start; i < found.length; i++) points.push(point(found[i]!));
  return points;
}

const point = (c: Item): HistoryPoint => ({ eventTime: c[0], values: c[4] });
