/**
 * How the online store lays out Redis: one string key per (environment, contract major,
 * entity) holding the entity's newest visible row, and one key holding the run event
 * cursor the keys reflect. A value is the row's event time, run, contract version,
 * commit time and feature values as JSON, the values embedded as stored (no re-encode).
 */
import type { FeatureView, MatchedRow } from '../../store/feature-rows.types';

export interface OnlineKeys {
  /** The applied run event cursor (a whole number), or `rebuild:<token>` while a rebuild writes. */
  cursor: string;
  /** Every key of this store, for SCAN when a rebuild clears it. */
  pattern: string;
  entity(view: Omit<FeatureView, 'version'>, entityKey: string): string;
}

/** `prefix` is TIDEMARK_EVENTS_PREFIX: deployments sharing a Redis never share keys. */
export function onlineKeys(prefix: string): OnlineKeys {
  const base = `${prefix}online:`;
  return {
    cursor: `${base}cursor`,
    // Glob metacharacters in the prefix (a SQLite path may hold them) are escaped.
    pattern: `${base.replace(/[*?[\]\\]/g, '\\$&')}*`,
    entity: (view, entityKey) => `${base}v:${view.environment}:${view.contract}:${view.major}:${entityKey}`,
  };
}

export interface StoredRow {
  eventTime: number;
  runId: string;
  contractVersion: string;
  committedAt: number;
  /** feature_values as stored: a JSON object. */
  valuesJson: string;
}

export function encodeRow(r: StoredRow): string {
  return `{"t":${r.eventTime},"r":${JSON.stringify(r.runId)},"v":${JSON.stringify(r.contractVersion)},"c":${r.committedAt},"f":${r.valuesJson}}`;
}

export function decodeRow(entityKey: string, text: string): MatchedRow {
  const o = JSON.parse(text) as { t: number; r: string; v: string; c: number; f: MatchedRow['values'] };
  return { entityKey, eventTime: o.t, runId: o.r, contractVersion: o.v, committedAt: o.c, values: o.f };
}

/** A cursor as stored: a whole number, or null when absent or not one (a rebuild token). */
export function parseStoredCursor(v: string | null | undefined): number | null {
  return v && /^\d{1,15}$/.test(v) ? Number(v) : null;
}
