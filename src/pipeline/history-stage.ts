/**
 * Loads what the run needs from the store before transforming: each entity's
 * stored history for the window features, and its last stored row for the
 * monotonic expectations. One set-based query for every entity of the batch.
 */
import type { Store } from '../store/store';
import type { FeatureView, HistoryRequest } from '../store/feature.repository';
import type { CleanRow, HistoryPoint } from './row.types';
import type { CompiledContract } from './compiled-contract';
import type { PreviousValues } from '../quality/checks.types';

export interface LoadedHistory {
  points: Map<string, HistoryPoint[]>;
  previous: Map<string, PreviousValues>;
}

export async function loadHistory(
  store: Store,
  view: FeatureView,
  rows: CleanRow[],
  compiled: CompiledContract,
  excludeRunIds: string[],
): Promise<LoadedHistory> {
  const needs = compiled.history;
  const wantsWindows = needs.columns.length > 0;
  if (rows.length === 0 || (!wantsWindows && !compiled.needsPrevious)) {
    return { points: new Map(), previous: new Map() };
  }
  // The monotonic checks need at least the one row before the batch.
  const rows_ = Math.max(needs.maxRows ?? 0, compiled.needsPrevious ? 1 : 0);
  const points = await store.features.history(view, spans(rows), {
    maxRows: rows_ > 0 ? rows_ : null,
    maxDurationMs: needs.maxDuration,
    excludeRunIds,
  });
  return { points: wantsWindows ? points : new Map(), previous: lastBefore(points, rows) };
}

/** Per entity: its earliest and latest event time in the batch. */
function spans(rows: CleanRow[]): HistoryRequest[] {
  const m = new Map<string, HistoryRequest>();
  for (const r of rows) {
    const s = m.get(r.entityKey);
    if (!s) m.set(r.entityKey, { entityKey: r.entityKey, from: r.eventTime, to: r.eventTime });
    else {
      if (r.eventTime < s.from) s.from = r.eventTime;
      if (r.eventTime > s.to) s.to = r.eventTime;
    }
  }
  return [...m.values()];
}

/**
 * The entity's last stored row before its earliest batch row. Stored rows hold
 * feature values, so a monotonic check on a column compares with the plain feature
 * of the same name (the common case: `confirmed` → feature `confirmed`).
 */
function lastBefore(points: Map<string, HistoryPoint[]>, rows: CleanRow[]): Map<string, PreviousValues> {
  const from = new Map<string, number>();
  for (const r of rows) from.set(r.entityKey, Math.min(from.get(r.entityKey) ?? Infinity, r.eventTime));
  const out = new Map<string, PreviousValues>();
  for (const [ek, list] of points) {
    const limit = from.get(ek) ?? Infinity;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]!.eventTime < limit) {
        out.set(ek, { eventTime: list[i]!.eventTime, values: list[i]!.values });
        break;
      }
    }
  }
  return out;
}
