/**
 * Turning check outcomes into the report shape of report.types.ts (Great
 * Expectations' SUMMARY format): one result per expectation plus statistics.
 */
import type { ExpectationSpec, Severity } from '../domain/contract';
import type { ExpectationResult, UnexpectedSample, ValidationReport } from '../domain/validation-report';
import { unexpectedPercent } from './mostly';

export interface Outcome {
  success: boolean;
  elementCount: number;
  unexpectedCount: number;
  sample: UnexpectedSample[];
  observedValue?: unknown;
  details?: Record<string, unknown>;
  columns?: string[];
}

/** Only the keys a result echoes from its expectation. */
export interface ResultHead {
  expect: ExpectationResult['expect'];
  severity: Severity;
  column?: string;
  columns?: string[];
  mostly?: number;
}

export function headOf(spec: ExpectationSpec): ResultHead {
  const head: ResultHead = { expect: spec.expect, severity: spec.severity };
  if (spec.column !== undefined) head.column = spec.column;
  if (spec.columns !== undefined) head.columns = [...spec.columns];
  if (spec.mostly !== undefined) head.mostly = spec.mostly;
  return head;
}

export function makeResult(head: ResultHead, o: Outcome): ExpectationResult {
  const r: ExpectationResult = {
    expect: head.expect,
    severity: head.severity,
    success: o.success,
    elementCount: o.elementCount,
    unexpectedCount: o.unexpectedCount,
    unexpectedPercent: unexpectedPercent(o.unexpectedCount, o.elementCount),
    sample: o.sample,
  };
  // Optional keys are set only when meaningful so the stored JSON stays small and a
  // GraphQL client sees absent fields as null rather than as `undefined` strings.
  if (head.column !== undefined) r.column = head.column;
  const columns = o.columns ?? head.columns;
  if (columns !== undefined) r.columns = columns;
  if (head.mostly !== undefined) r.mostly = head.mostly;
  if (o.observedValue !== undefined) r.observedValue = o.observedValue;
  if (o.details !== undefined) r.details = o.details;
  return r;
}

/**
 * `failsRun[i]` says whether results[i] being unsuccessful fails the run: true for
 * `fail` severity and for aggregate table checks of `reject` severity (they have no
 * single row to reject); false for `warn` and for row-rejecting checks, whose failing
 * rows were already quarantined.
 */
export function buildReport(results: ExpectationResult[], failsRun: boolean[]): ValidationReport {
  let successful = 0;
  let success = true;
  results.forEach((r, i) => {
    if (r.success) successful++;
    else if (failsRun[i]) success = false;
  });
  const evaluated = results.length;
  return {
    success,
    statistics: {
      evaluatedExpectations: evaluated,
      successfulExpectations: successful,
      unsuccessfulExpectations: evaluated - successful,
      successPercent: evaluated === 0 ? 100 : (100 * successful) / evaluated,
    },
    results,
  };
}

/** Dates and timestamps are epoch ms in rows; reports show them as ISO-8601 for people. */
export function isoOrNull(ms: number | null): string | null {
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}
