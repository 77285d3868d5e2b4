/**
 * Cleansing: source record → typed row, or the reasons it cannot be one.
 *
 * Compiled once per contract into a flat plan (one entry per column, each holding a
 * shared module-level coercer) so the per-row loop allocates only the output row:
 * no regex compilation, no closures, no contract lookups per row.
 *
 * Per column: read the source field (`from`, else `name`; an absent field is null),
 * trim text, turn null tokens into null (after trimming, case-sensitive, for JSON
 * strings too), then coerce (rules in coerce.ts). A null in a required column gives a
 * `required` reason; a value that cannot be read gives a `coerce` reason. Every failing
 * column reports its own reason. Entity-key columns (except those in
 * `entity.nullable`) and the event-time column are required whatever the schema says:
 * a row without them cannot be stored. A key too long to store rejects the row
 * (entity-key-definition.ts, which reads keys the same way for queries).
 * Fields not in the schema are dropped from `values` (they stay in `raw`).
 */
import type { ColumnType, Contract } from '../domain/contract';
import { InputError } from '../errors';
import { nullTokensOf, readCell } from './cell';
import { coercerFor, coerceMessage, INVALID, type Coercer } from './coerce';
import { entityKeyDefinition, type EntityKeyDefinition } from './entity-key-definition';
import type { CleanRow, SourceRow } from '../domain/rows';
import type { RawRecord, TypedRow } from '../domain/value';
import type { RejectReason } from '../domain/reject';

export type CleanseResult = { ok: true; row: CleanRow } | { ok: false; reasons: RejectReason[] };
export type Cleanser = (row: SourceRow) => CleanseResult;

interface ColumnPlan {
  name: string;
  from: string;
  type: ColumnType;
  required: boolean;
  coerce: Coercer;
}

interface CleansePlan {
  columns: ColumnPlan[];
  nullTokens: ReadonlySet<string>;
  key: EntityKeyDefinition;
  eventTime: string;
}

export function compileCleanser(contract: Contract): Cleanser {
  const plan = planCleanse(contract);
  return (row) => cleanseRow(plan, row);
}

function planCleanse(contract: Contract): CleansePlan {
  const byName = new Map(contract.schema.map((c) => [c.name, c]));
  const key = entityKeyDefinition(contract);
  const keyAndTime = [...contract.entity.key, contract.eventTime];
  const implicitlyRequired = new Set(keyAndTime.filter((c) => !key.nullable.has(c)));
  for (const col of keyAndTime) {
    if (!byName.has(col))
      throw new InputError(
        `contract ${contract.name}: column ${col} is used as a key or event time but is not in the schema`,
      );
  }
  const eventType = byName.get(contract.eventTime)!.type;
  if (eventType !== 'date' && eventType !== 'timestamp') {
    throw new InputError(
      `contract ${contract.name}: event-time column ${contract.eventTime} must be a date or timestamp, not ${eventType}`,
    );
  }
  return {
    columns: contract.schema.map((c) => ({
      name: c.name,
      from: c.from ?? c.name,
      type: c.type,
      required: c.required === true || implicitlyRequired.has(c.name),
      coerce: coercerFor(c.type),
    })),
    nullTokens: nullTokensOf(contract),
    key,
    eventTime: contract.eventTime,
  };
}

/**
 * The same cleansing writing into a caller's values object, which the caller may reuse
 * from row to row (the read stage copies each kept row into columns): nothing is
 * allocated for a row that passes. Returns the reasons when the row cannot be kept.
 */
export interface CellCleanser {
  fill(raw: RawRecord, values: TypedRow): RejectReason[] | undefined;
  entityKey(values: TypedRow): string;
}

export function compileCellCleanser(contract: Contract): CellCleanser {
  const plan = planCleanse(contract);
  return {
    fill: (raw, values) => fillValues(plan, raw, values),
    entityKey: (values) => plan.key.fromValues(values),
  };
}

function cleanseRow(plan: CleansePlan, row: SourceRow): CleanseResult {
  const values: TypedRow = {};
  const reasons = fillValues(plan, row.raw, values);
  if (reasons) return { ok: false, reasons };
  return {
    ok: true,
    row: {
      rowNumber: row.rowNumber,
      rawBatchId: row.rawBatchId,
      raw: row.raw,
      values,
      entityKey: plan.key.fromValues(values),
      eventTime: values[plan.eventTime] as number,
    },
  };
}

function fillValues(plan: CleansePlan, record: RawRecord, values: TypedRow): RejectReason[] | undefined {
  let reasons: RejectReason[] | undefined;
  const columns = plan.columns;
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i]!;
    const raw = record[col.from];
    const value = readCell(raw, col.coerce, plan.nullTokens);
    if (value === INVALID) {
      (reasons ??= []).push({
        rule: 'coerce',
        column: col.name,
        message: coerceMessage(raw, col.type),
        value: raw,
      });
      continue;
    }
    if (value === null && col.required) {
      (reasons ??= []).push({
        rule: 'required',
        column: col.name,
        message: `${col.name} is required`,
        value: raw ?? null,
      });
    }
    values[col.name] = value;
  }
  if (reasons) return reasons;
  const keyProblem = plan.key.problem(values);
  return keyProblem ? [keyProblem] : undefined;
}
