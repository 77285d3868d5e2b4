/**
 * One column of one chunk, encoded: its definition levels, its values (PLAIN, or
 * RLE_DICTIONARY with a dictionary for text that repeats) and, where asked, its min,
 * max and null count. Pure: bytes in, bytes out; the file writer
 * (parquet-file.ts) frames them as pages.
 */
import type { OutputKind } from './output-types';
import type { ParquetColumn } from './training-parquet';
import {
  bytesOf,
  definitionLevels,
  dictionaryIndexes,
  int64Words,
  packedBooleans,
  plainTexts,
  setValues,
} from './parquet-bits';

export interface ColumnStatistics {
  min_value?: number | bigint | boolean | string;
  max_value?: number | bigint | boolean | string;
  null_count: bigint;
}

export interface EncodedColumn {
  rows: number;
  nullCount: number;
  /** The definition levels (empty for a REQUIRED column). */
  levels: Uint8Array;
  encoding: 'PLAIN' | 'RLE_DICTIONARY';
  /** The dictionary page's PLAIN values and their count, when dictionary-encoded. */
  dictionary: { bytes: Uint8Array; count: number } | null;
  values: Uint8Array;
  statistics?: ColumnStatistics;
}

export interface ColumnSpec {
  name: string;
  kind: OutputKind;
  nullable: boolean;
  statistics: boolean;
}

/**
 * A dictionary pays while it holds at most half the set values; past that (mostly
 * distinct text) PLAIN is smaller and cheaper to read.
 */
const DICTIONARY_SHARE = 0.5;

export function encodeColumn(spec: ColumnSpec, c: ParquetColumn, rows: number): EncodedColumn {
  if ('text' in c) return encodeText(spec, c.text, rows);
  const nulls = c.nulls;
  const nullCount = nulls ? countNulls(nulls) : 0;
  refuseNulls(spec, nullCount);
  const levels = spec.nullable ? definitionLevels(rows, nulls, nullCount) : new Uint8Array(0);
  const set = rows - nullCount;
  const base = { rows, nullCount, levels, encoding: 'PLAIN' as const, dictionary: null };
  if ('bool' in c) {
    return {
      ...base,
      values: packedBooleans(c.values, nulls, set),
      ...(spec.statistics ? { statistics: boolStatistics(c.values, nulls, nullCount) } : {}),
    };
  }
  const numbers = setValues(c.values, nulls, set);
  const values =
    spec.kind === 'int64' || spec.kind === 'timestamp'
      ? bytesOf(int64Words(numbers, spec.name))
      : spec.kind === 'date'
        ? bytesOf(Int32Array.from(numbers))
        : bytesOf(numbers);
  return {
    ...base,
    values,
    ...(spec.statistics ? { statistics: numberStatistics(numbers, spec.kind, nullCount) } : {}),
  };
}

function encodeText(spec: ColumnSpec, text: Array<string | null>, rows: number): EncodedColumn {
  // Every distinct text gets its number in order of first appearance.
  const numbers = new Map<string, number>();
  const indexes = new Int32Array(rows);
  let flags: Uint8Array | null = null;
  let set = 0;
  for (let i = 0; i < rows; i++) {
    const v = text[i];
    if (v === null || v === undefined) {
      (flags ??= new Uint8Array(rows))[i] = 1;
      continue;
    }
    let k = numbers.get(v);
    if (k === undefined) {
      k = numbers.size;
      numbers.set(v, k);
    }
    indexes[set++] = k;
  }
  const nullCount = rows - set;
  refuseNulls(spec, nullCount);
  const distinct = [...numbers.keys()];
  const levels = spec.nullable ? definitionLevels(rows, flags, nullCount) : new Uint8Array(0);
  const statistics = spec.statistics ? textStatistics(distinct, nullCount) : undefined;
  const base = { rows, nullCount, levels, ...(statistics ? { statistics } : {}) };
  if (set > 0 && distinct.length <= set * DICTIONARY_SHARE) {
    return {
      ...base,
      encoding: 'RLE_DICTIONARY',
      dictionary: { bytes: plainTexts(distinct), count: distinct.length },
      values: dictionaryIndexes(indexes, set, distinct.length),
    };
  }
  const values = new Array<string>(set);
  for (let i = 0; i < set; i++) values[i] = distinct[indexes[i]!]!;
  return { ...base, encoding: 'PLAIN', dictionary: null, values: plainTexts(values) };
}

function refuseNulls(spec: ColumnSpec, nullCount: number): void {
  if (!spec.nullable && nullCount > 0)
    throw new Error(`column ${spec.name}: ${nullCount} null(s) in a required column`);
}

function countNulls(nulls: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < nulls.length; i++) n += nulls[i]!;
  return n;
}

function numberStatistics(set: Float64Array, kind: OutputKind, nullCount: number): ColumnStatistics {
  const stats: ColumnStatistics = { null_count: BigInt(nullCount) };
  const range = extremes(set, (a, b) => a - b);
  if (!range) return stats;
  const [min, max] = range;
  const int64 = kind === 'int64' || kind === 'timestamp';
  // Parquet orders -0 before +0: the minimum is written as -0, the maximum as +0.
  stats.min_value = int64 ? BigInt(min) : min === 0 ? -0 : min;
  stats.max_value = int64 ? BigInt(max) : max === 0 ? 0 : max;
  return stats;
}

function boolStatistics(values: Uint8Array, nulls: Uint8Array | null, nullCount: number): ColumnStatistics {
  let anyTrue = false;
  let anyFalse = false;
  for (let i = 0; i < values.length; i++) {
    if (nulls?.[i]) continue;
    if (values[i]) anyTrue = true;
    else anyFalse = true;
  }
  const stats: ColumnStatistics = { null_count: BigInt(nullCount) };
  if (anyTrue || anyFalse) {
    stats.min_value = !anyFalse;
    stats.max_value = anyTrue;
  }
  return stats;
}

/** Min and max of text in UTF-8 byte order, as Parquet compares BYTE_ARRAY values. */
function textStatistics(distinct: string[], nullCount: number): ColumnStatistics {
  const stats: ColumnStatistics = { null_count: BigInt(nullCount) };
  const range = extremes(distinct, compareUtf8);
  if (range) [stats.min_value, stats.max_value] = range;
  return stats;
}

/** The least and greatest of `values` by `compare`, or null when there are none. */
function extremes<T>(values: ArrayLike<T>, compare: (a: T, b: T) => number): [T, T] | null {
  if (values.length === 0) return null;
  let min = values[0]!;
  let max = min;
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!;
    if (compare(v, min) < 0) min = v;
    else if (compare(v, max) > 0) max = v;
  }
  return [min, max];
}

/**
 * Two texts in UTF-8 byte order (code point order). JavaScript's `<` compares UTF-16
 * units, which orders a character past U+FFFF (a surrogate pair) before U+E000–U+FFFF;
 * only there the code points are read.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if (x < 0xd800 || y < 0xd800) return x - y;
  // A pair's low half differs: step back to its high half to read whole code points.
  const at = i > 0 && (a.charCodeAt(i - 1) & 0xfc00) === 0xd800 ? i - 1 : i;
  return codePoint(a, at) - codePoint(b, at);
}

/** A code point; a lone surrogate as U+FFFD, as UTF-8 encoders write it. */
function codePoint(s: string, i: number): number {
  const c = s.codePointAt(i)!;
  return c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
}
