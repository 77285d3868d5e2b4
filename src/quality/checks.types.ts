/**
 * The compiled form of a contract's quality section. `compileChecks` builds it once
 * per contract version (ajv schema, regexes, sets, durations); `validateBatch` only
 * runs it. Nothing here holds per-batch state, so one CompiledChecks serves every run.
 */
import type { ExpectationSpec } from '../domain/contract';
import type { CleanRow } from '../domain/rows';
import type { RejectReason } from '../domain/reject';
import type { TypedRow, Value } from '../domain/value';
import type { CleanRows } from '../domain/clean-rows';
import type { ValidationReport } from '../domain/validation-report';
import type { Outcome } from './report';
import type { ColumnCache } from './column-cache';
import type { RejectSink } from './tally';
import type { SchemaCheck } from './schema-check';
import type { ViewCheck } from './view-checks';
import type { Baseline } from './profile/baseline';
import type { Profile } from './profile/profile';

/** The last stored row of an entity, so monotonic checks hold across runs. */
export interface PreviousValues {
  eventTime: number;
  values: TypedRow;
}

export interface ValidationContext {
  /** Epoch ms: the run's clock, passed in so tests control it. */
  now: number;
  /** Columns present in the raw records (for columns_match_set). */
  presentColumns: string[];
  /** Entity key → its last stored row (for increasing / non_decreasing). */
  previous?: Map<string, PreviousValues>;
  /** Rows cleansing already rejected; folded into the schema result when given. */
  coercionRejects?: number;
  /** The first of those rejects, for the schema result's sample. */
  coercionSample?: ReadonlyArray<{ rowNumber: number; rawBatchId: string; reasons: RejectReason[] }>;
  /** Raw batch id → its file name (or stream range): shown beside row numbers in samples. */
  files?: ReadonlyMap<string, string>;
  /** False skips profiling the stored rows (benchmarks compare the cost); on by default. */
  profile?: boolean;
  /** Drift baselines by check index (quality/profile/baseline.ts); absent: no baseline yet. */
  baselines?: ReadonlyMap<number, Baseline>;
}

export interface BatchValidation {
  /** The rows no check rejected, in batch order (a view over the validated rows). */
  accepted: CleanRows;
  rejected: Array<{ row: CleanRow; reasons: RejectReason[] }>;
  report: ValidationReport;
  /** The profile of each schema column over the accepted rows (empty when profiling is off). */
  profiles: Profile[];
}

interface CheckBase {
  spec: ExpectationSpec;
  /** Whether an unsuccessful result makes the whole report (and so the run) fail. */
  failsRun: boolean;
  /** Message carried by each RejectReason this check produces. */
  message: string;
}

/**
 * A check evaluated one cell at a time by the shared row loop. `test` is built once at
 * compile time; the loop calls it per cell without allocating.
 */
export interface RowCheck extends CheckBase {
  kind: 'row';
  /** The column read; undefined means the row's event time (no_future_event_time). */
  column: string | undefined;
  /** Every row expectation except not_null skips null cells, as in Great Expectations. */
  skipNulls: boolean;
  /** True when the cell is as expected. */
  test(value: Value, now: number): boolean;
}

/** increasing / non_decreasing: evaluated over rows ordered per entity by event time. */
export interface SequenceCheck extends CheckBase {
  kind: 'sequence';
  column: string;
  strict: boolean;
}

/** What a table check hands to the report builder. */
export type TableOutcome = Outcome;

/** Everything a table check may read while evaluating one batch. */
export interface TableInput {
  rows: CleanRows;
  ctx: ValidationContext;
  /** Receives reasons for rows the check rejects (unique / compound_unique only). */
  sink: RejectSink | null;
  cache: ColumnCache;
  /** Row indices grouped by entity, each group by event time (sequence.ts), computed once. */
  entityOrder(): Uint32Array;
  /** The check's position in the contract (drift checks find their baseline by it). */
  index: number;
}

export interface TableCheck extends CheckBase {
  kind: 'table';
  /**
   * unique / compound_unique blame rows and see every row; the other table checks
   * (aggregates, sets, row count, freshness) see only the rows the run will store.
   */
  rejectsRows?: boolean;
  evaluate(input: TableInput): TableOutcome;
}

export type Check = RowCheck | SequenceCheck | TableCheck;

export interface CompiledChecks {
  contract: {
    name: string;
    version: string;
    eventTime: string;
    entityKey: string[];
    /** policy.maxRejectedFraction: the share of rejected rows above which the run fails. */
    maxRejectedFraction?: number;
    /** The schema's columns, in order: each is profiled over the rows the run stores. */
    columns: string[];
  };
  schema: SchemaCheck;
  /** In contract order, so the report lists results in the order authors wrote them. */
  checks: Check[];
  /** `scope: view` expectations, in contract order: checked in the commit (pipeline/view-stage.ts). */
  viewChecks: ViewCheck[];
}
