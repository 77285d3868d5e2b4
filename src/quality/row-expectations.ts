/**
 * Row expectations: each compiles to a predicate over one cell, built once (regex, set,
 * bounds captured at compile time) and called by the shared row loop in validate.ts.
 * Null cells never reach a predicate except not_null's (the loop skips them, as GE does).
 */
import type { ColumnType } from '../domain/contract';
import type { Value } from '../domain/value';
import type { RowCheck, SequenceCheck } from './checks.types';
import { boundsText, type CompileEnv, NUMERIC_TYPES, toCellValue } from './compile-env';
import { inRange } from './aggregates';

const DAY_MS = 86_400_000;

function rowCheck(
  env: CompileEnv,
  column: string | undefined,
  message: string,
  test: RowCheck['test'],
  skipNulls = true,
): RowCheck {
  return {
    kind: 'row',
    spec: env.spec,
    failsRun: env.spec.severity === 'fail',
    message,
    column,
    skipNulls,
    test,
  };
}

export function notNull(env: CompileEnv): RowCheck {
  const col = env.column();
  return rowCheck(env, col, `${col} is null`, (v) => v !== null, false);
}

export function between(env: CompileEnv): RowCheck {
  const col = env.column(NUMERIC_TYPES);
  const { min, max } = env.bounds();
  return rowCheck(
    env,
    col,
    `${col} is not ${boundsText(min, max)}`,
    (v) => typeof v === 'number' && inRange(v, min, max),
  );
}

function cellSet(env: CompileEnv, col: string): Set<Value> {
  const type = env.typeOf(col);
  return new Set(env.values().map((v) => toCellValue(v, type)));
}

export function inSet(env: CompileEnv): RowCheck {
  const col = env.column();
  const set = cellSet(env, col);
  return rowCheck(env, col, `${col} is not one of the allowed values`, (v) => set.has(v));
}

export function notInSet(env: CompileEnv): RowCheck {
  const col = env.column();
  const set = cellSet(env, col);
  return rowCheck(env, col, `${col} is one of the forbidden values`, (v) => !set.has(v));
}

/**
 * Search semantics (the regex may match anywhere; anchor it with ^…$ to match whole
 * values), as GE's pandas backend and JSON Schema's `pattern` do. Non-string cells are
 * matched by their string form.
 */
export function matchRegex(env: CompileEnv): RowCheck {
  const col = env.column();
  const source = env.spec.regex ?? env.fail('needs `regex`');
  const re = env.regex(source);
  return rowCheck(env, col, `${col} does not match /${source}/`, (v) =>
    re.test(typeof v === 'string' ? v : String(v)),
  );
}

/** Length in UTF-16 code units, like ajv's minLength would count without its unicode option. */
export function lengthBetween(env: CompileEnv): RowCheck {
  const col = env.column();
  const { min, max } = env.bounds();
  return rowCheck(env, col, `${col} length is not ${boundsText(min, max)}`, (v) =>
    inRange((typeof v === 'string' ? v : String(v)).length, min, max),
  );
}

const TYPE_TESTS: Record<ColumnType, (v: Value) => boolean> = {
  string: (v) => typeof v === 'string',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  boolean: (v) => typeof v === 'boolean',
  // A date is an epoch-ms value at UTC midnight; a timestamp any finite epoch ms.
  date: (v) => typeof v === 'number' && Number.isInteger(v) && v % DAY_MS === 0,
  timestamp: (v) => typeof v === 'number' && Number.isFinite(v),
};

export function ofType(env: CompileEnv): RowCheck {
  const col = env.column();
  const type = env.spec.type ?? env.fail('needs `type`');
  return rowCheck(env, col, `${col} is not of type ${type}`, TYPE_TESTS[type]);
}

/** Reads the row's event time rather than a column; the value passed is row.eventTime. */
export function noFutureEventTime(env: CompileEnv): RowCheck {
  const name = env.contract.eventTime;
  return rowCheck(env, undefined, `${name} is in the future`, (v, now) => (v as number) <= now);
}

function sequence(env: CompileEnv, strict: boolean): SequenceCheck {
  const col = env.column();
  const verb = strict ? 'does not increase' : 'decreases';
  return {
    kind: 'sequence',
    spec: env.spec,
    failsRun: env.spec.severity === 'fail',
    message: `${col} ${verb} over event time within its entity`,
    column: col,
    strict,
  };
}

export function increasing(env: CompileEnv): SequenceCheck {
  return sequence(env, true);
}

export function nonDecreasing(env: CompileEnv): SequenceCheck {
  return sequence(env, false);
}
