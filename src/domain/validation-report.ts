/**
 * The validation report of a run, shaped like Great Expectations' SUMMARY result
 * format: one result per expectation plus totals. Stored with the run as JSON and
 * served by GraphQL as is.
 */
import type { ExpectationName, ExpectationScope, Severity } from './contract';

export interface UnexpectedSample {
  /** Absent for a view-scope result, which looks at stored rows rather than a batch's. */
  rowNumber?: number;
  /** The raw batch holding the row (row numbers restart in every batch). */
  rawBatchId?: string;
  /** The raw batch's file name (or stream range), when it has one: what a person looks for. */
  file?: string;
  value: unknown;
}

export interface ExpectationResult {
  /** `schema`: the column schema and cleansing; `max_rejected_fraction`: the contract's bound on rejects. */
  expect: ExpectationName | 'schema' | 'max_rejected_fraction';
  column?: string;
  columns?: string[];
  severity: Severity;
  /** `view` for an expectation checked on the visible feature view; absent for the batch (the default). */
  scope?: ExpectationScope;
  success: boolean;
  /** Rows the expectation looked at (null cells are skipped except by not_null). */
  elementCount: number;
  unexpectedCount: number;
  /** 0..100, of elementCount. */
  unexpectedPercent: number;
  mostly?: number;
  /** For aggregate checks: the measured value (mean, row count, ...). */
  observedValue?: unknown;
  /** Up to 20 unexpected values with their row numbers. */
  sample: UnexpectedSample[];
  /**
   * Extra facts a reviewer needs: the bounds an aggregate was held to (min, max), missing
   * and unexpected columns (columns_match_set), per column counts (schema).
   */
  details?: Record<string, unknown>;
}

export interface ValidationReport {
  /** False when any `fail` expectation did not hold. */
  success: boolean;
  statistics: {
    evaluatedExpectations: number;
    successfulExpectations: number;
    unsuccessfulExpectations: number;
    successPercent: number;
  };
  results: ExpectationResult[];
}

/**
 * A run's warnings: its `warn` expectations that did not hold. A warning blocks
 * nothing, so a run with warnings still succeeds; the count is kept with the run
 * (runs.warnings) so "succeeded with warnings" is a filter the store answers.
 */
export function warningCount(report: ValidationReport | null | undefined): number {
  if (!report) return 0;
  return report.results.filter((r) => !r.success && r.severity === 'warn').length;
}
