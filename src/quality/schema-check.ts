/**
 * The contract's column schema as a hard shape: enum, minimum, maximum, pattern,
 * minLength, maxLength, checked with ajv. One JSON Schema per contract version,
 * compiled once in compileChecks; a violation always rejects the row (rule `schema`).
 *
 * Types are deliberately checked loosely (no `type` keyword): cleansing already coerced
 * every cell to its column type, and JSON Schema's numeric keywords ignore strings and
 * its string keywords ignore numbers, so each constraint only applies where it means
 * something. Null cells pass: `required` is cleansing's business, not the schema's.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ColumnSpec } from '../domain/contract';
import { InputError } from '../errors';
import type { CleanRows } from '../domain/clean-rows';
import type { ExpectationResult, UnexpectedSample } from '../domain/validation-report';
import { makeResult } from './report';
import { type RejectSink, SAMPLE_LIMIT, sampleOf } from './tally';
import type { ValidationContext } from './checks.types';
import { compileLinearRegex } from './linear-regex';
import { ROWS_PER_LOOK, type SlicedWork } from '../lib/slices';

/** ajv's hook for a regex engine; `code` only matters for standalone code, never generated here. */
const LINEAR_ENGINE = Object.assign((source: string) => compileLinearRegex(source), {
  code: 'compileLinearRegex',
});

export interface SchemaCheck {
  /** Null when no column carries a constraint: there is nothing to validate per row. */
  validate: ValidateFunction | null;
  /** ajv instancePath (JSON pointer) → column name. */
  columnsByPath: Map<string, string>;
}

const CONSTRAINT_KEYS = ['minimum', 'maximum', 'pattern', 'minLength', 'maxLength'] as const;

function columnSchema(col: ColumnSpec): Record<string, unknown> | null {
  const s: Record<string, unknown> = {};
  for (const k of CONSTRAINT_KEYS) if (col[k] !== undefined) s[k] = col[k];
  // enum is the one keyword that would reject null, so null is allowed explicitly.
  if (col.enum !== undefined) s.enum = [...col.enum, null];
  return Object.keys(s).length === 0 ? null : s;
}

function pointer(name: string): string {
  return '/' + name.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function compileSchemaCheck(columns: ColumnSpec[]): SchemaCheck {
  const properties: Record<string, unknown> = {};
  const columnsByPath = new Map<string, string>();
  for (const col of columns) {
    const s = columnSchema(col);
    if (!s) continue;
    properties[col.name] = s;
    columnsByPath.set(pointer(col.name), col.name);
  }
  if (columnsByPath.size === 0) return { validate: null, columnsByPath };
  // strictTypes off: constraints without `type` are the point (see the file comment).
  // `pattern` runs on RE2: a backtracking pattern must not stall the run (linear-regex.ts).
  const ajv = new Ajv({ allErrors: true, strictTypes: false, code: { regExp: LINEAR_ENGINE } });
  try {
    return { validate: ajv.compile({ type: 'object', properties }), columnsByPath };
  } catch (e) {
    throw new InputError(`contract column schema does not compile: ${(e as Error).message}`);
  }
}

function describe(column: string, err: ErrorObject): string {
  const allowed = (err.params as { allowedValues?: unknown[] }).allowedValues;
  const list = allowed
    ? ': ' +
      allowed
        .filter((v) => v !== null)
        .map((v) => JSON.stringify(v))
        .join(', ')
    : '';
  return `${column} ${err.message ?? 'is invalid'}${list}`;
}

/**
 * Runs the schema over every row, adds one `schema` reason per violated constraint to
 * the sink, and returns the report's schema result (yielding at pause points, see
 * pipeline/slices.ts). Cleansing rejects, when given,
 * count as unexpected rows of the same result (both are the contract's hard shape),
 * and the first of them fill its sample like any check's: row, column, value, why.
 */
export function* runSchemaCheck(
  check: SchemaCheck,
  rows: CleanRows,
  sink: RejectSink,
  early: Pick<ValidationContext, 'coercionRejects' | 'coercionSample'> = {},
): SlicedWork<ExpectationResult> {
  const coercionRejects = early.coercionRejects ?? 0;
  const byColumn: Record<string, number> = {};
  const sample: UnexpectedSample[] = [];
  for (const r of early.coercionSample ?? []) {
    for (const why of r.reasons) {
      if (why.column !== undefined) byColumn[why.column] = (byColumn[why.column] ?? 0) + 1;
      if (sample.length < SAMPLE_LIMIT)
        sample.push(
          sampleOf(r.rowNumber, { column: why.column, value: why.value, rule: why.rule }, r.rawBatchId),
        );
    }
  }
  const own: UnexpectedSample[] = [];
  const unexpectedRows = yield* validateRows(check, rows, sink, byColumn, own);
  // The first rows in the order rejects are listed (raw batch, row), whichever stage refused them.
  sample.push(...own);
  sample.sort(
    (a, b) => (a.rawBatchId ?? '').localeCompare(b.rawBatchId ?? '') || a.rowNumber! - b.rowNumber!,
  );
  sample.length = Math.min(sample.length, SAMPLE_LIMIT);
  const unexpectedCount = unexpectedRows + coercionRejects;
  const details: Record<string, unknown> = { byColumn };
  if (coercionRejects > 0) details.coercionRejects = coercionRejects;
  return makeResult(
    { expect: 'schema', severity: 'reject' },
    {
      success: unexpectedCount === 0,
      elementCount: rows.length + coercionRejects,
      unexpectedCount,
      sample,
      details,
    },
  );
}

function* validateRows(
  check: SchemaCheck,
  rows: CleanRows,
  sink: RejectSink,
  byColumn: Record<string, number>,
  sample: UnexpectedSample[],
): SlicedWork<number> {
  const validate = check.validate;
  if (!validate) return 0;
  let unexpectedRows = 0;
  for (let i = 0; i < rows.length; i++) {
    if (i % ROWS_PER_LOOK === ROWS_PER_LOOK - 1) yield;
    // Only contracts with column constraints get here; they pay for a row object each.
    const row = rows.row(i);
    if (validate(row.values)) continue;
    unexpectedRows++;
    for (const err of validate.errors ?? []) {
      const column = check.columnsByPath.get(err.instancePath) ?? err.instancePath;
      const value = row.values[column];
      sink.add(i, { rule: 'schema', column, message: describe(column, err), value });
      byColumn[column] = (byColumn[column] ?? 0) + 1;
      if (sample.length < SAMPLE_LIMIT)
        sample.push(sampleOf(row.rowNumber, { column, value }, rows.rawBatchId(i)));
    }
  }
  return unexpectedRows;
}
