/**
 * What a failed run records: its error message, its validation report (when validation
 * ran) and the kind of failure, which decides whether a retry can help.
 */
import {
  ContractViolationError,
  StorageFullError,
  TidemarkError,
  UnavailableError,
  asStorageFull,
  asUnavailable,
} from '../errors';
import type { ValidationReport } from '../domain/validation-report';
import type { Run, RunErrorKind } from '../domain/run';

/** A `fail` expectation did not hold: the run fails with its report, nothing is written. */
export class RunValidationError extends ContractViolationError {
  constructor(readonly report: ValidationReport) {
    const failed = report.results
      .filter((r) => !r.success && r.severity === 'fail')
      .map((r) => r.expect + (r.column ? `(${r.column})` : ''));
    super(`validation failed: ${failed.join(', ') || 'blocking expectation not met'}`);
  }
}

export interface Failure {
  patch: Pick<Run, 'error' | 'validation' | 'errorKind'>;
  /** An input, validation or outage problem (a warning), not a bug (an error with its stack). */
  expected: boolean;
  error: string;
  /** The text it failed with, when `error` is our wording of it (outage, full disk): for the log. */
  detail?: string;
}

export function describeFailure(err: unknown, report: ValidationReport | null): Failure {
  // Worded by errors.ts (never the driver's text) whenever the cause is an outage or a full disk.
  const worded = asStorageFull(err) ?? asUnavailable(err);
  const error = worded
    ? // The run is over: "retry later" is advice for API callers, not part of its record.
      worded.message.replace(/,? then retry later$|; retry later$/, '')
    : err instanceof Error
      ? err.message
      : String(err);
  return {
    patch: {
      error,
      validation: err instanceof RunValidationError ? err.report : report,
      errorKind: classify(err),
    },
    expected: err instanceof TidemarkError || worded !== null,
    error,
    detail: worded && err !== worded ? driverWords(err) : undefined,
  };
}

/** The driver's own words, without the SQL knex puts in front (it may hold a whole batch). */
function driverWords(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const cut = message.lastIndexOf(' - ');
  return (cut >= 0 ? message.slice(cut + 3) : message).slice(0, 300);
}

/**
 * Data and input problems repeat on retry; anything else (I/O, database) may not. A
 * full disk is retried too, but on its own, slower schedule (scheduling/retry.ts): it
 * lasts until someone frees space.
 * JavaScript's own errors (a RangeError such as "Maximum call stack size exceeded", a
 * TypeError) come from the data and the code, never from the moment: the same batch
 * would fail the same way, so they are not retried either.
 */
export function classify(err: unknown): RunErrorKind {
  if (err instanceof ContractViolationError) return 'validation';
  if (err instanceof StorageFullError || asStorageFull(err)) return 'storage';
  if (err instanceof UnavailableError || asUnavailable(err)) return 'transient';
  if (err instanceof TidemarkError) return 'input';
  if (isLanguageError(err)) return 'input';
  return 'transient';
}

const LANGUAGE_ERRORS = [RangeError, TypeError, SyntaxError, ReferenceError, EvalError, URIError];

/** A built-in error of the language itself; an I/O error carries a system `code` (EIO, ENOSPC…) and stays transient. */
function isLanguageError(err: unknown): boolean {
  if (!LANGUAGE_ERRORS.some((E) => err instanceof E)) return false;
  return typeof (err as { code?: unknown }).code !== 'string';
}
