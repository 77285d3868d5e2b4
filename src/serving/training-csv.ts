/**
 * A joined training set as CSV: the spine's key columns as they were sent, the
 * timestamp column (RFC 3339 at UTC), then one column per feature. A null is an empty
 * field; an empty string is `""`. Dates are YYYY-MM-DD, timestamps RFC 3339 at UTC,
 * booleans true/false.
 */
import { formatTemporal } from '../pipeline/coerce';
import type { Value } from '../domain/value';
import type { TrainingPlan } from './multi-view';
import { outputKind } from './output-types';
import { valueAt, type JoinedChunk } from './spine-join';
import type { SpineSlice } from './spine-slice';

export function csvHeader(plan: TrainingPlan, timestampColumn: string): string {
  return (
    [...plan.spineColumns.map((c) => c.name), timestampColumn, ...plan.columns.map((c) => c.name)]
      .map(field)
      .join(',') + '\n'
  );
}

export function csvRows(plan: TrainingPlan, rows: SpineSlice, joined: JoinedChunk): string {
  const keys = plan.spineColumns.map((c) => c.name);
  const kinds = plan.columns.map((c) => outputKind(c.type));
  let out = '';
  for (let i = 0; i < rows.length; i++) {
    const e = rows.values[rows.ids[i]!] as Record<string, unknown>;
    let line = '';
    for (const k of keys) line += field(String(e[k] ?? '')) + ',';
    line += new Date(rows.times[i]!).toISOString();
    for (let j = 0; j < kinds.length; j++) line += ',' + cell(valueAt(joined.values[j]!, i), kinds[j]!);
    out += line + '\n';
  }
  return out;
}

function cell(v: Value, kind: ReturnType<typeof outputKind>): string {
  if (v === null) return '';
  if ((kind === 'date' || kind === 'timestamp') && typeof v === 'number') return formatTemporal(v, kind);
  if (typeof v === 'string') return field(v);
  return String(v);
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

function field(s: string): string {
  if (s === '') return '""';
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
