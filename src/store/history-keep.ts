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
import type { HistoryOptions } from './feature.repository';
import type { Value } from '../domain/value';
import type { HistoryPoint } from '../domain/rows';

/**
 * One row of the history statement: a request and its rows, as JSON text on SQLite and
 * already parsed on PostgreSQL (which also returns `tmin`, a bigint, as text).
 */
export interface HistoryRow {
  ek: string;
  tmin: number | string;
  /** [event time, precedence, committed at, row id, feature values], per row found. */
  found: string | Array<[number, number, number, number, Record<string, Value>]> | null;
}

interface Candidate {
  eventTime: number;
  prec: number;
  committedAt: number;
  id: number;
  values: Record<string, Value>;
}

/** True when `a` wins over `b` at the same event time: the rule of `order` in history.sql.ts. */
function wins(a: Candidate, b: Candidate): boolean {
  if (a.prec !== b.prec) return a.prec > b.prec;
  if (a.committedAt !== b.committedAt) return a.committedAt > b.committedAt;
  return a.id > b.id;
}

const present = (v: Value | undefined) => v !== null && v !== undefined;

/** The kept points per entity, added to `out` (a map per call when not given). */
export function keepHistory(
  rows: Iterable<HistoryRow>,
  opts: HistoryOptions,
  out = new Map<string, HistoryPoint[]>(),
): Map<string, HistoryPoint[]> {
  for (const r of rows) {
    const list =
      typeof r.found === 'string' ? (JSON.parse(r.found) as Exclude<HistoryRow['found'], string>) : r.found;
    if (!list?.length) continue;
    const found = list.map(([eventTime, prec, committedAt, id, values]) => ({
      eventTime,
      prec,
      committedAt,
      id,
      values,
    }));
    const points = keepBefore(winners(found), Number(r.tmin), opts);
    if (points.length) out.set(r.ek, points); // callers read "no entry" as "no history"
  }
  return out;
}

/** One candidate per event time, ascending. The index hands rows over in time order, so the sort rarely moves any. */
function winners(found: Candidate[]): Candidate[] {
  for (let i = 1; i < found.length; i++) {
    if (found[i - 1]!.eventTime > found[i]!.eventTime) {
      found.sort((a, b) => a.eventTime - b.eventTime);
      break;
    }
  }
  const out: Candidate[] = [];
  for (const c of found) {
    const last = out[out.length - 1];
    if (last && last.eventTime === c.eventTime) {
      if (wins(c, last)) out[out.length - 1] = c;
    } else out.push(c);
  }
  return out;
}

/** `found` (ascending, one per event time) as points, without the rows before `tmin` that no rule keeps. */
function keepBefore(found: Candidate[], tmin: number, opts: HistoryOptions): HistoryPoint[] {
  const nonNull = Object.entries(opts.lastNonNull ?? {});
  let split = found.length;
  while (split > 0 && found[split - 1]!.eventTime >= tmin) split--;
  const keep = found.map((_, i) => i >= split);
  // Ranks count from the newest row before `from`, as the rules do.
  const seen = nonNull.map(() => 0);
  for (let i = split - 1, rank = 1; i >= 0; i--, rank++) {
    const { eventTime, values } = found[i]!;
    if (opts.maxRows !== null && rank <= opts.maxRows) keep[i] = true;
    if (opts.maxDurationMs !== null && eventTime >= tmin - opts.maxDurationMs) keep[i] = true;
    nonNull.forEach(([name, count], k) => {
      if (seen[k]! < count && present(values[name])) {
        seen[k]!++;
        keep[i] = true;
      }
    });
  }
  const points: HistoryPoint[] = [];
  found.forEach((c, i) => keep[i] && points.push({ eventTime: c.eventTime, values: c.values }));
  return points;
}
