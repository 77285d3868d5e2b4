/**
 * Loads what the run needs from the store before transforming: each entity's
 * stored history for the window features, and its last stored row for the
 * monotonic expectations. One set-based query for every entity of the batch.
 */
import type { Store } from '../store/store';
import type { FeatureView, HistoryRequest } from '../store/feature-rows.types';
import type { HistoryPoint } from '../domain/rows';
import type { CleanRows } from '../domain/clean-rows';
import type { CompiledContract } from './compiled-contract';
import type { PreviousValues } from '../quality/checks.types';

export interface LoadedHistory {
  points: Map<string, HistoryPoint[]>;
  previous: Map<string, PreviousValues>;
}

export async function loadHistory(
  store: Store,
  view: FeatureView,
  rows: CleanRows,
  compiled: CompiledContract,
  excludeRunIds: string[],
  /** The store as known at this system time (a plan's replay of a past run); default now. */
  knownAt?: number,
): Promise<LoadedHistory> {
  const needs = compiled.history;
  const wantsWindows = needs.columns.length > 0;
  if (rows.length === 0 || (!wantsWindows && compiled.monotonicColumns.length === 0)) {
    return { points: new Map(), previous: new Map() };
  }
  // The monotonic checks compare with each column's last non-null stored value, however
  // many null rows lie between: a decrease after a null is a decrease in one run or two.
  const monotonic = compiled.monotonicColumns;
  const lastNonNull = { ...needs.lastNonNull };
  for (const c of monotonic) lastNonNull[c] = Math.max(lastNonNull[c] ?? 0, 1);
  const batchSpans = spans(rows);
  const points = await store.features.history(view, batchSpans, {
    maxRows: needs.maxRows,
    maxDurationMs: needs.maxDuration,
    excludeRunIds,
    knownAt,
    lastNonNull,
    // Only what the windows and the monotonic checks read, not every feature of a row.
    columns: [...needs.columns, ...monotonic],
  });
  return {
    points: wantsWindows ? points : new Map(),
    previous: monotonic.length ? lastBefore(points, batchSpans, monotonic) : new Map(),
  };
}

/** Per entity: its earliest and latest event time in the batch. */
function spans(rows: CleanRows): HistoryRequest[] {
  const byId: Array<HistoryRequest | undefined> = new Array(rows.entityKeys.length);
  for (let i = 0; i < rows.length; i++) {
    const id = rows.entityId(i);
    const t = rows.eventTime(i);
    const s = byId[id];
    if (!s) byId[id] = { entityKey: rows.entityKeys[id]!, from: t, to: t };
    else {
      if (t < s.from) s.from = t;
      if (t > s.to) s.to = t;
    }
  }
  return byId.filter((s) => s !== undefined);
}

/**
 * Per entity and monotonic column: the last non-null stored value before its earliest
 * batch row. Stored rows hold feature values, so a monotonic check on a column compares
 * with the plain feature of the same name (the common case: `confirmed` → feature
 * `confirmed`). `eventTime` is the newest stored row's before the batch.
 */
function lastBefore(
  points: Map<string, HistoryPoint[]>,
  batchSpans: HistoryRequest[],
  columns: readonly string[],
): Map<string, PreviousValues> {
  const from = new Map(batchSpans.map((s) => [s.entityKey, s.from]));
  const out = new Map<string, PreviousValues>();
  for (const [ek, list] of points) {
    const limit = from.get(ek) ?? Infinity;
    let i = list.length - 1;
    while (i >= 0 && list[i]!.eventTime >= limit) i--;
    if (i < 0) continue;
    const values: PreviousValues['values'] = {};
    for (const c of columns) {
      for (let k = i; k >= 0; k--) {
        const v = list[k]!.values[c];
        if (v !== null && v !== undefined) {
          values[c] = v;
          break;
        }
      }
    }
    out.set(ek, { eventTime: list[i]!.eventTime, values });
  }
  return out;
}
