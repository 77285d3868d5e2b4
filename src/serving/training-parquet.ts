/**
 * A joined training set as a Parquet file (parquet-file.ts), typed by output-types.ts:
 * int64 INT64, numbers DOUBLE, booleans BOOLEAN, text BYTE_ARRAY UTF8 (STRING), dates
 * INT32 DATE, timestamps INT64 TIMESTAMP(MILLIS, adjusted to UTC); every column is
 * OPTIONAL and a null is a null. The spine's key columns are typed by the contract
 * column they feed, the timestamp column is a REQUIRED TIMESTAMP.
 *
 * Each chunk is one row group, written and handed out as it is joined: the writer keeps
 * only the row groups' metadata (for the footer), so memory follows a chunk. A stream
 * cut off before `end()` has no footer, which every Parquet reader refuses.
 *
 * Encoding a row group is the costliest step of a bulk training set, so it runs on its
 * own thread (training-parquet.thread.ts): the joined chunk crosses over as a
 * ParquetChunk, typed arrays where a column is numeric (moved, not copied), and the
 * writer here turns it into the file's bytes.
 */
import type { SchemaElement } from 'hyparquet';
import type { Value } from '../domain/value';
import type { TrainingPlan } from './multi-view';
import { outputKind, storedMillis, type OutputKind } from './output-types';
import type { JoinedChunk, JoinedColumn } from './spine-join';
import type { KeyColumn, SpineSlice } from './spine-slice';
import { ParquetFileWriter } from './parquet-file';

const DAY_MS = 86_400_000;

/** The file's columns: the spine's key columns, the timestamp, the features. */
export interface ParquetLayout {
  names: string[];
  kinds: OutputKind[];
  /** Index of the timestamp column (the one REQUIRED column). */
  time: number;
}

/**
 * One column of a chunk as it crosses threads: numbers (int64 and timestamps as whole
 * ms, dates as days) and booleans in typed arrays with a null flag per row, text as
 * strings.
 */
export type ParquetColumn =
  | { values: Float64Array; nulls: Uint8Array | null }
  | { values: Uint8Array; nulls: Uint8Array | null; bool: true }
  | { text: Array<string | null> };

export interface ParquetChunk {
  rows: number;
  columns: ParquetColumn[];
}

export function parquetLayout(plan: TrainingPlan, timestampColumn: string): ParquetLayout {
  return {
    names: [...plan.spineColumns.map((c) => c.name), timestampColumn, ...plan.columns.map((c) => c.name)],
    kinds: [
      ...plan.spineColumns.map((c) => outputKind(c.type)),
      'timestamp',
      ...plan.columns.map((c) => outputKind(c.type)),
    ],
    time: plan.spineColumns.length,
  };
}

/** A joined chunk in the layout's columns, with the buffers to move to the encoding thread. */
export function parquetChunk(
  layout: ParquetLayout,
  keys: KeyColumn[],
  rows: SpineSlice,
  joined: JoinedChunk,
): { chunk: ParquetChunk; transfer: ArrayBuffer[] } {
  const columns: ParquetColumn[] = keys.map((key, k) => column(key.values(rows), layout.kinds[k]!));
  // A copy: the slice's times are a view of the spine's, which must not move to the thread.
  columns.push({ values: rows.times.slice(), nulls: null });
  joined.values.forEach((values, j) => columns.push(column(values, layout.kinds[layout.time + 1 + j]!)));
  const transfer: ArrayBuffer[] = [];
  for (const c of columns) {
    if ('values' in c) {
      transfer.push(c.values.buffer as ArrayBuffer);
      if (c.nulls) transfer.push(c.nulls.buffer as ArrayBuffer);
    }
  }
  return { chunk: { rows: rows.length, columns }, transfer };
}

/** Stored values in a column's crossing form; a value that does not fit its type is null. */
function column(values: JoinedColumn, kind: OutputKind): ParquetColumn {
  if (values instanceof Float64Array) return typedColumn(values, kind);
  const n = values.length;
  if (kind === 'string') {
    const text = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      text[i] = v === null || v === undefined ? null : typeof v === 'string' ? v : String(v);
    }
    return { text };
  }
  const nulls = new Uint8Array(n);
  let anyNull = false;
  if (kind === 'bool') {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'boolean') out[i] = v ? 1 : 0;
      else {
        nulls[i] = 1;
        anyNull = true;
      }
    }
    return { values: out, nulls: anyNull ? nulls : null, bool: true };
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = number(values[i] ?? null, kind);
    if (x !== null) out[i] = x;
    else {
      nulls[i] = 1;
      anyNull = true;
    }
  }
  return { values: out, nulls: anyNull ? nulls : null };
}

/** A numeric column joined in bulk (NaN for null), moved as it is; a text one as text. */
function typedColumn(values: Float64Array, kind: OutputKind): ParquetColumn {
  const n = values.length;
  if (kind !== 'int64' && kind !== 'float64')
    return column(
      Array.from(values, (v) => (v === v ? v : null)),
      kind,
    );
  let nulls: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v !== v) (nulls ??= new Uint8Array(n))[i] = 1;
    else if (kind === 'int64') values[i] = Math.trunc(v);
  }
  return { values, nulls };
}

/** A stored value as its numeric column holds it (null where it does not fit). */
function number(v: Value, kind: OutputKind): number | null {
  if (v === null) return null;
  switch (kind) {
    case 'int64':
      return typeof v === 'number' ? Math.trunc(v) : null;
    case 'float64':
      return typeof v === 'number' ? v : null;
    default: {
      const ms = storedMillis(v);
      if (ms === null) return null;
      return kind === 'date' ? Math.floor(ms / DAY_MS) : Math.trunc(ms);
    }
  }
}

export class ParquetTrainingWriter {
  private readonly file: ParquetFileWriter;

  constructor(private readonly layout: ParquetLayout) {
    this.file = new ParquetFileWriter(
      [
        { name: 'schema', num_children: layout.names.length },
        ...layout.names.map((name, j) => element(name, layout.kinds[j]!, j !== layout.time)),
      ],
      layout.names.map((name, j) => ({
        name,
        kind: layout.kinds[j]!,
        nullable: j !== layout.time,
        // Min and max per row group on the spine's keys and its timestamp only: a reader
        // skips row groups by entity or time, hardly by a feature's value.
        statistics: j <= layout.time,
      })),
      'tidemark',
    );
  }

  /** The bytes of one chunk (one row group): the first carries the file's magic number. */
  chunk(c: ParquetChunk): Uint8Array {
    return this.file.rowGroup(c.rows, c.columns);
  }

  /** The footer (after the magic number alone when no chunk came). */
  end(): Uint8Array {
    return this.file.end();
  }
}

function element(name: string, kind: OutputKind, nullable: boolean): SchemaElement {
  const repetition_type = nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (kind) {
    case 'int64':
      return { name, repetition_type, type: 'INT64' };
    case 'float64':
      return { name, repetition_type, type: 'DOUBLE' };
    case 'bool':
      return { name, repetition_type, type: 'BOOLEAN' };
    case 'date':
      return { name, repetition_type, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'timestamp':
      return {
        name,
        repetition_type,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      };
    default:
      return {
        name,
        repetition_type,
        type: 'BYTE_ARRAY',
        converted_type: 'UTF8',
        logical_type: { type: 'STRING' },
      };
  }
}
