/**
 * The cleansed rows of a run as validation, history and the transform read them: by
 * row index, one column at a time. A run of a million rows keeps them in columns
 * (columnar-rows.ts: typed arrays and dictionaries, about 60 bytes a row) rather than
 * as a million objects (about 600 bytes a row, and most of a run's garbage collection);
 * a handful of rows given as objects (tests, small pushes) are read through `rowsOf`.
 *
 * Entities are numbered: `entityId(i)` indexes `entityKeys`, so grouping by entity is
 * array indexing rather than hashing a string per row. Ids are dense but not every id
 * need have rows in a given view (`pick` keeps its base's numbering).
 */
import type { CleanRow } from './rows';
import type { TypedRow, Value } from './value';

export interface CleanRows {
  readonly length: number;
  /** Entity id → canonical entity key. */
  readonly entityKeys: readonly string[];
  entityId(i: number): number;
  entityKey(i: number): string;
  eventTime(i: number): number;
  rowNumber(i: number): number;
  rawBatchId(i: number): string;
  /** The cells of one column by row index (null when absent). Get it once, call it per row. */
  column(name: string): (i: number) => Value;
  /** The row as an object, for the few rows a report samples or a check rejects. */
  row(i: number): CleanRow;
  /**
   * A text column as codes into its dictionary, when the rows keep it so (columnar
   * rows): a profile counts codes instead of hashing a string per row. Undefined or
   * null otherwise; `column` always works.
   */
  codes?(name: string): TextCodes | null;
}

/** A text column's cells as dictionary codes: 0 is null, `texts[c]` the text of code c >= 1. */
export interface TextCodes {
  code(i: number): number;
  readonly texts: readonly string[];
}

/** Rows given as objects. */
export function rowsOf(rows: readonly CleanRow[]): CleanRows {
  const ids = new Map<string, number>();
  const entityIds = new Uint32Array(rows.length);
  const entityKeys: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const key = rows[i]!.entityKey;
    let id = ids.get(key);
    if (id === undefined) {
      ids.set(key, (id = entityKeys.length));
      entityKeys.push(key);
    }
    entityIds[i] = id;
  }
  return {
    length: rows.length,
    entityKeys,
    entityId: (i) => entityIds[i]!,
    entityKey: (i) => rows[i]!.entityKey,
    eventTime: (i) => rows[i]!.eventTime,
    rowNumber: (i) => rows[i]!.rowNumber,
    rawBatchId: (i) => rows[i]!.rawBatchId,
    column: (name) => (i) => rows[i]!.values[name] ?? null,
    row: (i) => rows[i]!,
  };
}

/** The rows at `indices` (ascending), in that order, read through `base`. */
export function pick(base: CleanRows, indices: Uint32Array): CleanRows {
  return {
    length: indices.length,
    entityKeys: base.entityKeys,
    entityId: (i) => base.entityId(indices[i]!),
    entityKey: (i) => base.entityKey(indices[i]!),
    eventTime: (i) => base.eventTime(indices[i]!),
    rowNumber: (i) => base.rowNumber(indices[i]!),
    rawBatchId: (i) => base.rawBatchId(indices[i]!),
    column: (name) => {
      const cell = base.column(name);
      return (i) => cell(indices[i]!);
    },
    row: (i) => base.row(indices[i]!),
    codes: (name) => {
      const codes = base.codes?.(name);
      return codes ? { code: (i) => codes.code(indices[i]!), texts: codes.texts } : null;
    },
  };
}

export function asCleanRows(rows: readonly CleanRow[] | CleanRows): CleanRows {
  return isRowArray(rows) ? rowsOf(rows) : rows;
}

function isRowArray(rows: readonly CleanRow[] | CleanRows): rows is readonly CleanRow[] {
  return Array.isArray(rows);
}

/** Every row as an object (tests, small batches). */
export function toArray(rows: CleanRows): CleanRow[] {
  const out: CleanRow[] = [];
  for (let i = 0; i < rows.length; i++) out.push(rows.row(i));
  return out;
}

/** Builds a row object from column readers (the columnar store's `row`). */
export function rowFrom(
  rows: CleanRows,
  readers: ReadonlyArray<readonly [name: string, cell: (i: number) => Value]>,
  i: number,
): CleanRow {
  const values: TypedRow = {};
  for (const [name, cell] of readers) values[name] = cell(i);
  return {
    rowNumber: rows.rowNumber(i),
    rawBatchId: rows.rawBatchId(i),
    values,
    entityKey: rows.entityKey(i),
    eventTime: rows.eventTime(i),
  };
}
