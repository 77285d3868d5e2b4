/**
 * The shapes the feature rows' store takes and gives: rows to write, views, point-in-time
 * and history requests and their options, matches. Apart from the repository so that the
 * statements' builders (point-in-time.sql.ts, history.sql.ts) and the repository that runs
 * them import the same types without importing each other.
 */
import type { Environment } from '../domain/environment';
import type { Value } from '../domain/value';

/**
 * A row to store: its values as an object, or already serialised (the run's commit
 * does that, with `json`, the whole row as the JSON array [entityKey, eventTime, values]).
 */
export type FeatureRowInsert = { entityKey: string; eventTime: number } & (
  | { values: Record<string, Value>; valuesJson?: undefined; json?: undefined }
  | { valuesJson: string; json?: string; values?: undefined }
);

export interface FeatureView {
  environment: Environment;
  contract: string;
  major: number;
  /** Only rows written under this exact contract version. */
  version?: string;
}

export interface MatchedRow {
  entityKey: string;
  eventTime: number;
  values: Record<string, Value>;
  runId: string;
  contractVersion: string;
  committedAt: number;
}

export interface PointRequest {
  entityKey: string;
  /** Epoch ms: match the latest row with event time <= at. */
  at: number;
}

/**
 * An entity's rows from FeatureRepository.entityRanges, flat: per row event time, rank,
 * committed at, row id, run seq, values (RANGE_STRIDE items).
 */
export type RangeRows = Array<number | Record<string, Value>>;

export interface PointOptions {
  /** System time: the store as it was known then (default: now). */
  knownAt?: number;
  /** Only rows with event time > at - ttlMs. */
  ttlMs?: number;
}

export interface HistoryRequest {
  entityKey: string;
  /** The entity's earliest event time in the batch. */
  from: number;
  /** The entity's latest event time in the batch. */
  to: number;
}

export interface HistoryOptions {
  /** Rows before `from` to keep, newest first; null: none by count. */
  maxRows: number | null;
  /** Keep rows before `from` within this many ms; null: none by duration. */
  maxDurationMs: number | null;
  /** Runs whose rows must not count (the run being reprocessed). */
  excludeRunIds?: string[];
  /** System time: the runs visible then (default: now). A plan replays past runs with it. */
  knownAt?: number;
  /** Feature name → how many of its newest non-null rows before `from` to keep as well. */
  lastNonNull?: Record<string, number>;
  /** Only these features of each row, and the `lastNonNull` ones (default: all of them). */
  columns?: readonly string[];
}
