/**
 * Rows as they move through a run. Every stage is a plain function over these
 * shapes; none of them imports knex or graphql.
 */
import type { RawRecord, TypedRow, Value } from './value';

/** A record read from a raw batch, before cleansing. `rowNumber` is 1-based within its batch. */
export interface SourceRow {
  rowNumber: number;
  rawBatchId: string;
  raw: RawRecord;
}

/** A row that passed cleansing: typed values plus its entity key and event time. */
export interface CleanRow extends Omit<SourceRow, 'raw'> {
  /**
   * The source record. The read stage lets it go once the row is typed (a million
   * records held twice, as text and as values, is most of a run's memory); the few
   * rows validation rejects get theirs back from the kept raw batch (rejectsWithRaw).
   */
  raw?: RawRecord;
  values: TypedRow;
  /** Canonical string form of the entity key (see pipeline/entity-key.ts). */
  entityKey: string;
  /** Epoch milliseconds, UTC. */
  eventTime: number;
}

/**
 * One stored point of an entity's history, handed to the transform so windows
 * continue across runs: its event time and its stored feature values.
 */
export interface HistoryPoint {
  eventTime: number;
  values: Record<string, Value>;
}

/** The transform's output: one feature row per (entity, event time) of the run. */
export interface FeatureRow {
  entityKey: string;
  eventTime: number;
  /** Feature name → value, every feature of the contract. */
  values: Record<string, Value>;
  /** Lineage: the source row it came from. */
  rowNumber: number;
  rawBatchId: string;
}

/**
 * A feature row as the commit keeps it: its values already serialised as canonical
 * JSON (digest.ts), the text the digest hashed and the store writes. The values
 * object is gone by then: a million rows held as objects cost several times more.
 */
export interface SealedFeatureRow {
  entityKey: string;
  eventTime: number;
  valuesJson: string;
  /** The row as the JSON array `[entityKey, eventTime, values]`: the digest's text, the store's input. */
  json: string;
  rowNumber: number;
  rawBatchId: string;
}

/** What a source yields: a record, or the reason the line could not be read as one. */
export interface ParsedRecord extends SourceRow {
  parseError?: string;
}
