/**
 * Table expectations over the whole batch: aggregates compared with bounds, set checks,
 * the column set and freshness. They have no single row to blame, so severity `reject`
 * behaves as `fail` here (the run fails); only warn leaves the run alone.
 * unique / compound_unique, which can blame rows, live in uniqueness.ts.
 */
import { parseIsoDuration } from '../lib/duration';
import type { Value } from '../domain/value';
import type { TableCheck, TableInput, TableOutcome } from './checks.types';
import type { ColumnCache } from './column-cache';
import { boundsText, type CompileEnv, NUMERIC_TYPES, toCellValue } from './compile-env';
import { inRange, medianOfSorted, sampleStdev } from './aggregates';
import { isoOrNull } from './report';
import { SAMPLE_LIMIT, sampleOf } from './tally';

/** Observed values listed in a report are capped so a high-cardinality column cannot bloat it. */
const OBSERVED_LIMIT = 100;

function tableCheck(env: CompileEnv, message: string, evaluate: TableCheck['evaluate']): TableCheck {
  return { kind: 'table', spec: env.spec, failsRun: env.spec.severity !== 'warn', message, evaluate };
}

/**
 * An aggregate that cannot be measured (no values; stdev of one value) is unsuccessful,
 * as in GE: a bound cannot be shown to hold on nothing.
 */
function boundedOutcome(observed: number | null, count: number, min?: number, max?: number): TableOutcome {
  return {
    success: observed !== null && inRange(observed, min, max),
    elementCount: count,
    unexpectedCount: 0,
    sample: [],
    observedValue: observed,
    // The bounds beside the observed value, so a report reads "observed 2, min 5".
    details: boundsOf(min, max),
  };
}

function boundsOf(min?: number, max?: number): Record<string, number> {
  const out: Record<string, number> = {};
  if (min !== undefined) out.min = min;
  if (max !== undefined) out.max = max;
  return out;
}

export function rowCountBetween(env: CompileEnv): TableCheck {
  const { min, max } = env.bounds();
  return tableCheck(env, `row count is not ${boundsText(min, max)}`, ({ rows }) =>
    boundedOutcome(rows.length, rows.length, min, max),
  );
}

type Measure = (cache: ColumnCache, column: string) => number | null;

function aggregateBetween(env: CompileEnv, what: string, measure: Measure): TableCheck {
  const col = env.column(NUMERIC_TYPES);
  const { min, max } = env.bounds();
  return tableCheck(env, `${what} of ${col} is not ${boundsText(min, max)}`, ({ cache }) =>
    boundedOutcome(measure(cache, col), cache.numeric(col).count, min, max),
  );
}

const orNull = (count: number, x: number): number | null => (count === 0 ? null : x);

export const minBetween = (env: CompileEnv): TableCheck =>
  aggregateBetween(env, 'min', (c, col) => orNull(c.numeric(col).count, c.numeric(col).min));

export const maxBetween = (env: CompileEnv): TableCheck =>
  aggregateBetween(env, 'max', (c, col) => orNull(c.numeric(col).count, c.numeric(col).max));

export const meanBetween = (env: CompileEnv): TableCheck =>
  aggregateBetween(env, 'mean', (c, col) => orNull(c.numeric(col).count, c.numeric(col).mean));

export const sumBetween = (env: CompileEnv): TableCheck =>
  aggregateBetween(env, 'sum', (c, col) => orNull(c.numeric(col).count, c.numeric(col).sum));

export const medianBetween = (env: CompileEnv): TableCheck =>
  aggregateBetween(env, 'median', (c, col) => medianOfSorted(c.sortedNumeric(col)));

/** Sample standard deviation (n - 1); see aggregates.ts. */
export const stdevBetween = (env: CompileEnv): TableCheck =>
  aggregateBetween(env, 'sample standard deviation', (c, col) => sampleStdev(c.numeric(col)));

/** Distinct non-null values / non-null values; unmeasurable (null) on an all-null column. */
export function uniqueProportionBetween(env: CompileEnv): TableCheck {
  const col = env.column();
  const { min, max } = env.bounds();
  return tableCheck(env, `unique proportion of ${col} is not ${boundsText(min, max)}`, ({ cache }) => {
    const d = cache.distinctValues(col);
    const observed = d.count === 0 ? null : d.values.size / d.count;
    const bounded = boundedOutcome(observed, d.count, min, max);
    return { ...bounded, details: { ...bounded.details, distinct: d.values.size } };
  });
}

/**
 * Every distinct value must be in the set (an empty column holds). Counted per row so a
 * reader sees how many rows carry stray values; the sample shows each stray value once.
 */
export function distinctValuesInSet(env: CompileEnv): TableCheck {
  const col = env.column();
  const type = env.typeOf(col);
  const allowed = new Set<Value>(env.values().map((v) => toCellValue(v, type)));
  return tableCheck(env, `${col} has values outside the set`, ({ rows, cache }) => {
    const d = cache.distinctValues(col);
    let unexpectedCount = 0;
    const sample: TableOutcome['sample'] = [];
    for (const [value, seen] of d.values) {
      if (allowed.has(value)) continue;
      unexpectedCount += seen.count;
      if (sample.length < SAMPLE_LIMIT)
        sample.push(sampleOf(rows.rowNumber(seen.first), value, rows.rawBatchId(seen.first)));
    }
    const observed = [...d.values.keys()].slice(0, OBSERVED_LIMIT);
    return {
      success: unexpectedCount === 0,
      elementCount: d.count,
      unexpectedCount,
      sample,
      observedValue: observed,
      // How many distinct values there were, when observedValue lists only the first.
      details: { distinct: d.values.size },
    };
  });
}

/**
 * The columns present in the raw records must equal the expected set (order ignored).
 * `values` is the documented parameter; `columns` is accepted too since the contract
 * types mention both. unexpectedCount counts present columns outside the set; missing
 * ones are listed in details.
 */
export function columnsMatchSet(env: CompileEnv): TableCheck {
  const expected = (env.spec.values ?? env.spec.columns ?? env.fail('needs `values`')).map(String);
  const expectedSet = new Set(expected);
  return tableCheck(env, 'columns do not match the expected set', ({ ctx }: TableInput) => {
    const present = new Set(ctx.presentColumns);
    const missing = expected.filter((c) => !present.has(c));
    const unexpected = [...present].filter((c) => !expectedSet.has(c));
    return {
      success: missing.length === 0 && unexpected.length === 0,
      elementCount: present.size,
      unexpectedCount: unexpected.length,
      sample: [],
      observedValue: [...present],
      details: { missing, unexpected },
    };
  });
}

/**
 * The newest event time must be within maxAge of `now` (inclusive). Unsuccessful on an
 * empty batch: no data is not fresh data. The duration is parsed once, here.
 */
export function freshWithin(env: CompileEnv): TableCheck {
  const maxAge = env.spec.maxAge ?? env.fail('needs `maxAge`');
  let maxAgeMs: number;
  try {
    maxAgeMs = parseIsoDuration(maxAge);
  } catch (e) {
    return env.fail((e as Error).message);
  }
  return tableCheck(env, `newest ${env.contract.eventTime} is older than ${maxAge}`, ({ rows, ctx }) => {
    let newest = -Infinity;
    for (let i = 0; i < rows.length; i++) newest = Math.max(newest, rows.eventTime(i));
    const observed = rows.length === 0 ? null : newest;
    const ageMs = observed === null ? null : ctx.now - observed;
    return {
      success: ageMs !== null && ageMs <= maxAgeMs,
      elementCount: rows.length,
      unexpectedCount: 0,
      sample: [],
      observedValue: isoOrNull(observed),
      details: { maxAge, ageMs },
    };
  });
}
