/**
 * What an expectation was held to. Aggregate checks report their bounds in the result
 * (details.min / details.max); row checks do not, so their bounds come from the
 * contract version's own expectation, matched by name and column in order.
 */
import type { ExpectationResult } from '../api/types';
import { value } from '../format';

/** Keys of an expectation that say what it is, not what it is held to. */
const NOT_THRESHOLD = new Set(['expect', 'column', 'columns', 'severity', 'mostly', 'description', 'name']);
/** Facts in details that are bounds. */
const BOUNDS = ['min', 'max', 'maxAge', 'value', 'values', 'set', 'regex', 'pattern'];

function keyOf(e: { expect?: unknown; column?: unknown; columns?: unknown }): string {
  return JSON.stringify([e.expect, e.column ?? null, e.columns ?? null]);
}

/** Pairs each result with the contract's expectation it came from (undefined for schema checks). */
export function matchDefinitions(
  results: ExpectationResult[],
  definitions: Array<Record<string, unknown>>,
): Array<Record<string, unknown> | undefined> {
  const used = new Map<string, number>();
  return results.map((r) => {
    const key = keyOf(r);
    const nth = used.get(key) ?? 0;
    used.set(key, nth + 1);
    return definitions.filter((d) => keyOf(d) === key)[nth];
  });
}

export function thresholdOf(r: ExpectationResult, def: Record<string, unknown> | undefined): string {
  if (r.expect === 'schema') return 'column types and constraints';
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const k of BOUNDS) {
    if (r.details && k in r.details) {
      parts.push(`${k} ${value(r.details[k], 40)}`);
      seen.add(k);
    }
  }
  for (const [k, v] of Object.entries(def ?? {})) {
    if (NOT_THRESHOLD.has(k) || seen.has(k)) continue;
    parts.push(`${k} ${value(v, 40)}`);
  }
  return parts.length ? parts.join(', ') : '—';
}

/** The rest of details: facts that are not bounds (per-column counts, distinct values, ...). */
export function otherDetails(r: ExpectationResult): string | null {
  if (!r.details) return null;
  const rest = Object.entries(r.details).filter(([k]) => !BOUNDS.includes(k));
  if (rest.length === 0) return null;
  return rest.map(([k, v]) => `${k}: ${value(v, 60)}`).join('; ');
}
