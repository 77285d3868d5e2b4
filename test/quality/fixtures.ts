/** Shared builders for the quality tests: a small contract and cleansed rows. */
import type { ColumnSpec, Contract, ExpectationSpec } from '../../src/domain/contract';
import type { CleanRow } from '../../src/domain/rows';
import type { TypedRow } from '../../src/domain/value';
import type { ExpectationResult } from '../../src/domain/validation-report';
import { compileChecks } from '../../src/quality/compile';
import { validateBatch } from '../../src/quality/validate';
import { toArray } from '../../src/domain/clean-rows';
import type { BatchValidation, ValidationContext } from '../../src/quality/checks.types';

export const DAY = 86_400_000;
export const T0 = Date.UTC(2024, 0, 1);
export const NOW = Date.UTC(2024, 0, 10, 12);

export const SCHEMA: ColumnSpec[] = [
  { name: 'country', type: 'string', required: true },
  { name: 'date', type: 'date', required: true },
  { name: 'confirmed', type: 'integer' },
  { name: 'deaths', type: 'integer' },
  { name: 'code', type: 'string' },
  { name: 'ratio', type: 'number' },
  { name: 'active', type: 'boolean' },
  { name: 'seen_at', type: 'timestamp' },
];

export function contract(expectations: ExpectationSpec[], schema: ColumnSpec[] = SCHEMA): Contract {
  return {
    name: 'country_daily',
    version: '1.0.0',
    owner: 'tests',
    entity: { name: 'country', key: ['country'] },
    eventTime: 'date',
    source: { type: 'push' },
    schema,
    expectations,
    features: [],
  };
}

let nextRow = 1;

/** A cleansed row; entity key and event time come from `country` and `date`. */
export function row(values: TypedRow, rowNumber = nextRow++): CleanRow {
  const v: TypedRow = { country: 'fr', date: T0, ...values };
  return {
    rowNumber,
    rawBatchId: 'batch-1',
    raw: {},
    values: v,
    entityKey: String(v.country),
    eventTime: v.date as number,
  };
}

/** Rows numbered 1..n, one per value of `column`, consecutive days for one entity. */
export function series(column: string, values: TypedRow[string][], extra: TypedRow = {}): CleanRow[] {
  return values.map((x, i) => row({ date: T0 + i * DAY, ...extra, [column]: x }, i + 1));
}

export function ctxOf(over: Partial<ValidationContext> = {}): ValidationContext {
  return { now: NOW, presentColumns: SCHEMA.map((c) => c.name), ...over };
}

/** The validation with its accepted rows as objects (the same objects as given). */
export type Validated = Omit<BatchValidation, 'accepted'> & { accepted: CleanRow[] };

export function validate(
  expectations: ExpectationSpec[],
  rows: CleanRow[],
  over: Partial<ValidationContext> = {},
): Validated {
  const out = validateBatch(compileChecks(contract(expectations)), rows, ctxOf(over));
  return { ...out, accepted: toArray(out.accepted) };
}

/** The result of the single expectation under test (results[0] is always the schema). */
export function resultOf(
  spec: ExpectationSpec,
  rows: CleanRow[],
  over: Partial<ValidationContext> = {},
): ExpectationResult {
  return validate([spec], rows, over).report.results[1]!;
}
