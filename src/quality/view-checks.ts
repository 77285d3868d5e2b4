/**
 * Expectations with `scope: view`: checked on the feature view's visible rows as they
 * will be once the run commits (the committed, not superseded or rolled back runs of the
 * view, plus this run, less the run a reprocess replaces). They run inside the commit
 * transaction, after the feature rows are written (pipeline/view-stage.ts), so a failing
 * `fail` check rolls the whole run back. Compiled here like batch checks; evaluated
 * through a ViewReader, which the store implements in set-based SQL over the
 * point-in-time index (store/view-checks.sql.ts), so this file holds no SQL.
 */
import { parseIsoDuration } from '../lib/duration';
import type { ExpectationSpec } from '../domain/contract';
import { VIEW_SCOPE_EXPECTATIONS } from '../domain/contract';
import type { CompileEnv } from './compile-env';
import { inRange } from './aggregates';
import { mostlyHolds } from './mostly';
import { entityValue, gapOutcome, gapSample, intervalOf } from './gaps';
import type { DuplicateKey, ViewReader } from '../domain/view-reader';
import { buildReport, headOf, isoOrNull, makeResult, type Outcome } from './report';
import type { ExpectationResult, ValidationReport } from '../domain/validation-report';
import { SAMPLE_LIMIT } from './tally';

export interface ViewCheck {
  spec: ExpectationSpec;
  failsRun: boolean;
  evaluate(reader: ViewReader, now: number): Promise<Outcome>;
}

/** Compiles one `scope: view` expectation; any other expectation is refused, naming those that accept it. */
export function compileViewCheck(env: CompileEnv): ViewCheck {
  const spec = env.spec;
  // No batch row to quarantine: a view check that does not hold fails the run unless it warns.
  const check = (evaluate: ViewCheck['evaluate']): ViewCheck => ({
    spec,
    failsRun: spec.severity !== 'warn',
    evaluate,
  });
  switch (spec.expect) {
    case 'row_count_between': {
      const { min, max } = env.bounds();
      return check(async (r) => {
        const n = await r.rowCount();
        return {
          success: inRange(n, min, max),
          elementCount: n,
          unexpectedCount: 0,
          sample: [],
          observedValue: n,
          details: bounds(min, max),
        };
      });
    }
    case 'compound_unique':
      return uniqueInView(env, check);
    case 'no_gaps': {
      const intervalMs = intervalOf(env);
      return check(async (r) => {
        const { counts, sample } = await r.gaps(intervalMs, SAMPLE_LIMIT);
        return gapOutcome(
          spec.interval!,
          counts,
          sample.map((g) => gapSample(g, intervalMs)),
        );
      });
    }
    case 'fresh_within': {
      const maxAge = spec.maxAge ?? env.fail('needs `maxAge`');
      let maxAgeMs: number;
      try {
        maxAgeMs = parseIsoDuration(maxAge);
      } catch (e) {
        return env.fail((e as Error).message);
      }
      if (spec.column !== undefined && spec.column !== env.contract.eventTime)
        env.fail(
          `with scope view reads the view's event time '${env.contract.eventTime}', not '${spec.column}'`,
        );
      return check(async (r, now) => {
        const newest = await r.newestEventTime();
        const ageMs = newest === null ? null : now - newest;
        return {
          success: ageMs !== null && ageMs <= maxAgeMs,
          elementCount: await r.rowCount(),
          unexpectedCount: 0,
          sample: [],
          observedValue: isoOrNull(newest),
          details: { maxAge, ageMs },
        };
      });
    }
    default:
      return env.fail(`does not accept scope: view (${VIEW_SCOPE_EXPECTATIONS.join(', ')} do)`);
  }
}

function bounds(min?: number, max?: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (min !== undefined) out.min = min;
  if (max !== undefined) out.max = max;
  return out;
}

/**
 * compound_unique over the view: only the feature row's identity (entity key + event
 * time) is stored as columns, so that is the one key a view can be checked on. Every
 * row of a group but one is unexpected, as in the batch check; `mostly` applies.
 */
function uniqueInView(env: CompileEnv, check: (e: ViewCheck['evaluate']) => ViewCheck): ViewCheck {
  const { entity, eventTime } = env.contract;
  const identity = [...entity.key, eventTime];
  const columns = env.spec.columns ?? identity;
  if (columns.length !== identity.length || !identity.every((c) => columns.includes(c)))
    env.fail(`with scope view checks the entity key and event time (${identity.join(', ')}) only`);
  return check(async (r) => {
    const total = await r.rowCount();
    const { extraRows, sample } = await r.duplicates(SAMPLE_LIMIT);
    return {
      success: mostlyHolds(extraRows, total, env.spec.mostly),
      elementCount: total,
      unexpectedCount: extraRows,
      sample: sample.map((d) => ({ value: keyCells(entity.key, eventTime, d) })),
    };
  });
}

function keyCells(
  keyColumns: readonly string[],
  eventTime: string,
  d: DuplicateKey,
): Record<string, unknown> {
  const key = entityValue(d.entityKey);
  const out: Record<string, unknown> = {};
  if (keyColumns.length === 1) out[keyColumns[0]!] = key;
  else keyColumns.forEach((c, i) => (out[c] = Array.isArray(key) ? key[i] : key));
  out[eventTime] = isoOrNull(d.eventTime);
  out.rows = d.rows;
  return out;
}

/** Every view check's result (marked `scope: view`), in contract order. */
export async function runViewChecks(
  checks: readonly ViewCheck[],
  reader: ViewReader,
  now: number,
): Promise<{ results: ExpectationResult[]; failsRun: boolean[] }> {
  const results: ExpectationResult[] = [];
  for (const c of checks) {
    const result = makeResult(headOf(c.spec), await c.evaluate(reader, now));
    results.push({ ...result, scope: 'view' });
  }
  return { results, failsRun: checks.map((c) => c.failsRun) };
}

/**
 * The batch report with the view results after its own: success and statistics are
 * recounted over both (the batch report's own verdict stands: it only reaches here when
 * it succeeded).
 */
export function withViewResults(
  report: ValidationReport,
  view: { results: ExpectationResult[]; failsRun: boolean[] },
): ValidationReport {
  if (view.results.length === 0) return report;
  const merged = buildReport(view.results, view.failsRun);
  const results = [...report.results, ...view.results];
  const successful = report.statistics.successfulExpectations + merged.statistics.successfulExpectations;
  return {
    success: report.success && merged.success,
    statistics: {
      evaluatedExpectations: results.length,
      successfulExpectations: successful,
      unsuccessfulExpectations: results.length - successful,
      successPercent: (100 * successful) / results.length,
    },
    results,
  };
}
