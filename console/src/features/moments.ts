/**
 * The moments the store changed for a feature view: each run's commit (its rows became
 * visible) and invalidation (rolled back or superseded: its rows hidden). Reading as of
 * one of these moments replays what the store knew right then (Query.featureHistory's
 * knownAt: a run committed at K is visible at K; one invalidated at K is not).
 */
import type { MomentRun } from '../api/feature-history';

export interface Moment {
  /** ISO date-time, as the API writes it. */
  at: string;
  /** What changed then, e.g. "run_abc committed; run_xyz rolled back". */
  what: string;
}

export function storeMoments(runs: MomentRun[]): Moment[] {
  const byTime = new Map<string, string[]>();
  const add = (at: string, what: string) => byTime.set(at, [...(byTime.get(at) ?? []), what]);
  for (const r of runs) {
    if (r.committedAt) add(r.committedAt, `run ${r.id} committed`);
    if (r.invalidatedAt)
      add(r.invalidatedAt, `run ${r.id} ${r.status === 'SUPERSEDED' ? 'superseded' : 'rolled back'}`);
  }
  return [...byTime.entries()]
    .sort(([a], [b]) => Date.parse(a) - Date.parse(b))
    .map(([at, what]) => ({ at, what: what.join('; ') }));
}

/** The slider position for `knownAt`: the last moment at or before it; moments.length for now. */
export function momentIndex(moments: Moment[], knownAt: string | null): number {
  if (!knownAt) return moments.length;
  const t = Date.parse(knownAt);
  let i = -1;
  while (i + 1 < moments.length && Date.parse(moments[i + 1]!.at) <= t) i++;
  return Math.max(i, 0);
}

/** Entities as typed: a JSON array ([{"a":1}, …]) when it parses, else comma-separated keys. */
export function parseEntities(text: string): unknown[] {
  const t = text.trim();
  if (!t) return [];
  if (t.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(t);
      if (Array.isArray(v)) return v;
    } catch {
      /* not JSON: read as a list of keys */
    }
  }
  return t
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function entityText(e: unknown): string {
  return typeof e === 'string' ? e : JSON.stringify(e);
}
