/**
 * The point-in-time join of a spine (entity key, timestamp rows) against a plan's
 * feature views: one set-based store read per view (the same statement as the
 * single-contract training set: FeatureRepository.eachPointInTime), the matches merged
 * by spine row index into columns. One row out per spine row, in spine order; a view
 * with no visible row at or before the row's time (within its TTL) gives nulls.
 *
 * Values stay as stored (dates and timestamps as epoch ms): the GraphQL form formats
 * them as text, the bulk writers as typed columns.
 */
import { InputError } from '../errors';
import type { FeatureRepository } from '../store/feature.repository';
import type { PointRequest } from '../store/feature-rows.types';
import type { Value } from '../domain/value';
import type { PlannedView, TrainingPlan } from './multi-view';

export interface SpineRow {
  /** A scalar (every view has a one-column key) or {spineColumn: value}. */
  entity: unknown;
  /** Epoch ms. */
  at: number;
}

export interface ViewMatches {
  /** Event time of the matched row, NaN where none. */
  eventTime: Float64Array;
  runId: Array<string | null>;
  contractVersion: Array<string | null>;
}

/**
 * A joined column: one value per spine row, or, for a numeric feature joined in bulk,
 * numbers in a Float64Array with NaN for null (stored values are JSON, which has no NaN).
 */
export type JoinedColumn = Value[] | Float64Array;

/** Row i of a joined column as a value. */
export function valueAt(col: JoinedColumn, i: number): Value {
  if (!(col instanceof Float64Array)) return col[i] ?? null;
  const v = col[i]!;
  return v === v ? v : null;
}

export interface JoinedChunk {
  length: number;
  /** Per plan column, one value per spine row. */
  values: JoinedColumn[];
  /** Per plan view. */
  matches: ViewMatches[];
}

/** Names a spine row in an error: `rows[3]` for GraphQL, `spine row 4 (line 5)` for CSV. */
export type RowLabel = (i: number) => string;

export async function joinSpine(
  features: Pick<FeatureRepository, 'eachPointInTime'>,
  plan: TrainingPlan,
  rows: SpineRow[],
  label: RowLabel = (i) => `rows[${i}]`,
): Promise<JoinedChunk> {
  const n = rows.length;
  checkSpine(plan, rows, label);
  const values = plan.columns.map(() => new Array<Value>(n).fill(null));
  // Every view's keys first: a bad key is refused before any read.
  const requests = plan.views.map((v) => keyRequests(v, rows, label));
  const matches = noMatches(plan, n);
  // The views at once: one view's rows are decoded while the database reads the other's.
  await Promise.all(
    plan.views.map((v, vi) => {
      const m = matches[vi]!;
      const targets = plan.columns.filter((c) => c.view === vi).map((c) => values[plan.columns.indexOf(c)]!);
      const names = v.names;
      return features.eachPointInTime(
        v.view,
        requests[vi]!,
        { ttlMs: v.ttlMs, knownAt: plan.knownAt },
        (i, match) => {
          m.eventTime[i] = match.eventTime;
          m.runId[i] = match.runId;
          m.contractVersion[i] = match.contractVersion;
          for (let j = 0; j < names.length; j++) targets[j]![i] = match.values[names[j]!] ?? null;
        },
      );
    }),
  );
  return { length: n, values, matches };
}

/** Per view, no match yet for any of n spine rows. */
export function noMatches(plan: TrainingPlan, n: number): ViewMatches[] {
  return plan.views.map(() => ({
    eventTime: new Float64Array(n).fill(NaN),
    runId: new Array<string | null>(n).fill(null),
    contractVersion: new Array<string | null>(n).fill(null),
  }));
}

/** Timestamps and spine columns, before any read: unknown and missing columns name the row. */
export function checkSpine(plan: TrainingPlan, rows: SpineRow[], label: RowLabel): void {
  const known = new Set(plan.spineColumns.map((c) => c.name));
  const scalarOk = plan.views.every((v) => v.key.columns.length === 1);
  for (let i = 0; i < rows.length; i++) {
    const { entity, at } = rows[i]!;
    if (!Number.isFinite(at)) throw new InputError(`${label(i)}: timestamp is not a valid date-time`);
    if (entity !== null && typeof entity === 'object' && !Array.isArray(entity)) {
      for (const k in entity) {
        if (!known.has(k))
          throw new InputError(
            `${label(i)}: unknown spine column ${k}; the views read ${[...known].join(', ')}`,
          );
      }
      for (const k of known) {
        if (!(k in entity))
          throw new InputError(
            `${label(i)}: spine column ${k} is missing; the views read ${[...known].join(', ')}`,
          );
      }
    } else if (!scalarOk) {
      throw new InputError(
        `${label(i)}: a view has a composite key, so each row needs an object {${[...known].join(', ')}}`,
      );
    }
  }
}

/**
 * A spine row's key as a Map key: the spine value itself for a one-column key, the
 * columns' values as JSON for several. An object or array is returned as is (a scalar
 * key refuses it, and it is never a Map key: see `cacheable`).
 */
function rawKey(v: PlannedView, entity: unknown): unknown {
  const from = v.spineColumns;
  const obj = entity !== null && typeof entity === 'object' ? (entity as Record<string, unknown>) : null;
  if (from.length === 1) return obj ? obj[from[0]!] : entity;
  return JSON.stringify(from.map((s) => obj![s]));
}

/** A raw key that may stand for its encoding in a Map. */
const cacheable = (raw: unknown): boolean => raw === null || typeof raw !== 'object';

/** The view's entity key of spine row i; a bad key is an InputError naming the row. */
export function encodeKey(v: PlannedView, entity: unknown, label: RowLabel, i: number): string {
  const cols = v.key.columns;
  const from = v.spineColumns;
  const obj = entity !== null && typeof entity === 'object' ? (entity as Record<string, unknown>) : null;
  let input: unknown;
  if (cols.length === 1) input = obj ? obj[from[0]!] : entity;
  else {
    const parts: Record<string, unknown> = {};
    for (let k = 0; k < cols.length; k++) parts[cols[k]!] = obj![from[k]!];
    input = parts;
  }
  try {
    return v.key.fromInput(input);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(`${label(i)}: ${v.contract.name}: ${err.message}`);
    throw err;
  }
}

/** The view's store requests, one per spine row; a key is encoded once per distinct value. */
export function keyRequests(v: PlannedView, rows: SpineRow[], label: RowLabel): PointRequest[] {
  const encoded = new Map<unknown, string>();
  const out: PointRequest[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const e = rows[i]!.entity;
    const raw = rawKey(v, e);
    let entityKey = cacheable(raw) ? encoded.get(raw) : undefined;
    if (entityKey === undefined) {
      entityKey = encodeKey(v, e, label, i);
      if (cacheable(raw)) encoded.set(raw, entityKey);
    }
    out[i] = { entityKey, at: rows[i]!.at };
  }
  return out;
}
