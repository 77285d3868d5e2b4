/**
 * The flat Parquet writer: every column kind with and without nulls, text through a
 * dictionary and PLAIN, several row groups, and per-row-group statistics, read back by
 * two independent readers (hyparquet and DuckDB).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { DuckDBInstance } from '@duckdb/node-api';
import { ParquetFileWriter } from '../../src/serving/parquet-file';
import type { ColumnSpec } from '../../src/serving/parquet-column';
import type { ParquetColumn } from '../../src/serving/training-parquet';
import type { SchemaElement } from 'hyparquet';

const dir = mkdtempSync(join(tmpdir(), 'tidemark-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const specs: ColumnSpec[] = [
  { name: 'key', kind: 'string', nullable: true, statistics: true },
  { name: 'at', kind: 'timestamp', nullable: false, statistics: true },
  { name: 'n', kind: 'int64', nullable: true, statistics: true },
  { name: 'x', kind: 'float64', nullable: true, statistics: false },
  { name: 'flag', kind: 'bool', nullable: true, statistics: true },
  { name: 'day', kind: 'date', nullable: true, statistics: false },
  { name: 'note', kind: 'string', nullable: true, statistics: false },
];

const schema: SchemaElement[] = [
  { name: 'schema', num_children: specs.length },
  { name: 'key', repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  {
    name: 'at',
    repetition_type: 'REQUIRED',
    type: 'INT64',
    converted_type: 'TIMESTAMP_MILLIS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
  },
  { name: 'n', repetition_type: 'OPTIONAL', type: 'INT64' },
  { name: 'x', repetition_type: 'OPTIONAL', type: 'DOUBLE' },
  { name: 'flag', repetition_type: 'OPTIONAL', type: 'BOOLEAN' },
  { name: 'day', repetition_type: 'OPTIONAL', type: 'INT32', converted_type: 'DATE' },
  { name: 'note', repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY', converted_type: 'UTF8' },
];

interface Row {
  key: string | null;
  at: number;
  n: number | null;
  x: number | null;
  flag: boolean | null;
  day: number | null;
  note: string | null;
}

const T0 = Date.UTC(2024, 0, 1);
/** Texts that order differently in UTF-16 and UTF-8 (past U+FFFF against U+FFxx). */
const KEYS = ['b', 'a', '\u{1F600}', '\uFF21', 'é', 'A'];

/** Row i of group g: nulls at different rates per column, a run of 13 rows (not a multiple of 8). */
function makeRow(g: number, i: number): Row {
  const k = g * 1000 + i;
  return {
    key: g === 1 ? null : KEYS[k % KEYS.length]!,
    at: T0 + k * 1000 - 5_000_000_000,
    n: k % 3 === 0 ? null : (k % 2 ? -1 : 1) * (2 ** 33 + k),
    x: g === 2 ? 0.5 * k : k % 5 === 0 ? null : k / 7,
    flag: k % 4 === 3 ? null : k % 2 === 0,
    day: k % 6 === 1 ? null : 19_000 + k,
    note: k % 2 ? null : `note ${k}`, // every set value distinct: written PLAIN
  };
}

function columnsOf(rows: Row[]): ParquetColumn[] {
  const flags = (f: (r: Row) => unknown) => {
    const nulls = Uint8Array.from(rows, (r) => (f(r) === null ? 1 : 0));
    return nulls.some((x) => x) ? nulls : null;
  };
  const numbers = (f: (r: Row) => number | null): ParquetColumn => ({
    values: Float64Array.from(rows, (r) => f(r) ?? 0),
    nulls: flags(f),
  });
  return [
    { text: rows.map((r) => r.key) },
    numbers((r) => r.at),
    numbers((r) => r.n),
    numbers((r) => r.x),
    { values: Uint8Array.from(rows, (r) => (r.flag ? 1 : 0)), nulls: flags((r) => r.flag), bool: true },
    numbers((r) => r.day),
    { text: rows.map((r) => r.note) },
  ];
}

// Group 0: mixed; group 1: every key null; group 2: no float nulls; group 3: one row.
const groups = [
  Array.from({ length: 13 }, (_, i) => makeRow(0, i)),
  Array.from({ length: 40 }, (_, i) => makeRow(1, i)),
  Array.from({ length: 8 }, (_, i) => makeRow(2, i)),
  [makeRow(3, 0)],
];

function writeFile(): { bytes: Uint8Array; path: string } {
  const writer = new ParquetFileWriter(schema, specs, 'test');
  const parts = groups.map((rows) => writer.rowGroup(rows.length, columnsOf(rows)));
  parts.push(writer.rowGroup(0, []), writer.end());
  const bytes = new Uint8Array(Buffer.concat(parts));
  const path = join(dir, 'all.parquet');
  writeFileSync(path, bytes);
  return { bytes, path };
}

const expected = groups.flat();
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('ParquetFileWriter', () => {
  const { bytes, path } = writeFile();

  it('reads back row for row in hyparquet', async () => {
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const back = (await parquetReadObjects({ file })) as Record<string, unknown>[];
    expect(back).toHaveLength(expected.length);
    expect(back.map((r) => r.key)).toEqual(expected.map((r) => r.key));
    expect(back.map((r) => (r.at as Date).getTime())).toEqual(expected.map((r) => r.at));
    expect(back.map((r) => r.n)).toEqual(expected.map((r) => (r.n === null ? null : BigInt(r.n))));
    expect(back.map((r) => r.x)).toEqual(expected.map((r) => r.x));
    expect(back.map((r) => r.flag)).toEqual(expected.map((r) => r.flag));
    expect(back.map((r) => (r.day === null ? null : (r.day as Date).getTime() / 86_400_000))).toEqual(
      expected.map((r) => r.day),
    );
    expect(back.map((r) => r.note)).toEqual(expected.map((r) => r.note));
  });

  it('has one row group per chunk, text through a dictionary only where it repeats', () => {
    const meta = parquetMetadata(bytes.buffer.slice(0) as ArrayBuffer);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([13, 40, 8, 1]);
    const first = meta.row_groups[0]!.columns;
    expect(first[0]!.meta_data!.encodings).toContain('RLE_DICTIONARY');
    expect(first[0]!.meta_data!.dictionary_page_offset).toBeDefined();
    expect(first[6]!.meta_data!.encodings).not.toContain('RLE_DICTIONARY');
    expect(meta.created_by).toBe('test');
  });

  it('writes min, max and null count where asked, text in UTF-8 byte order', () => {
    const meta = parquetMetadata(bytes.buffer.slice(0) as ArrayBuffer);
    const [g0, g1] = meta.row_groups;
    const rows0 = groups[0]!;
    const keys0 = [...new Set(rows0.map((r) => r.key!))].sort(utf8Order);
    const stats = (g: typeof g0, j: number) => g!.columns[j]!.meta_data!.statistics;
    expect(stats(g0, 0)).toMatchObject({ min_value: keys0[0], max_value: keys0.at(-1), null_count: 0n });
    // U+1F600 is past U+FF21 in UTF-8, before it in UTF-16.
    expect(keys0.at(-1)).toBe('\u{1F600}');
    expect(stats(g1, 0)).toMatchObject({ null_count: 40n });
    expect(stats(g1, 0)?.min_value).toBeUndefined();
    const ns = rows0.map((r) => r.n).filter((n): n is number => n !== null);
    expect(stats(g0, 2)).toMatchObject({
      min_value: BigInt(Math.min(...ns)),
      max_value: BigInt(Math.max(...ns)),
      null_count: BigInt(rows0.length - ns.length),
    });
    expect(stats(g0, 4)).toMatchObject({ min_value: false, max_value: true });
    expect(stats(g0, 3)).toBeUndefined();
  });

  it('reads back the same in DuckDB, statistics included', async () => {
    const duck = await DuckDBInstance.create(':memory:');
    const conn = await duck.connect();
    try {
      const rows = (
        await conn.runAndReadAll(
          `SELECT key, epoch_ms("at")::DOUBLE AS "at", n::DOUBLE AS n, x, flag, day::VARCHAR AS day, note FROM '${path}'`,
        )
      ).getRowObjects();
      expect(rows.map((r) => r.key)).toEqual(expected.map((r) => r.key));
      expect(rows.map((r) => r.at)).toEqual(expected.map((r) => r.at));
      expect(rows.map((r) => r.n)).toEqual(expected.map((r) => r.n));
      expect(rows.map((r) => r.x)).toEqual(expected.map((r) => r.x));
      expect(rows.map((r) => r.flag)).toEqual(expected.map((r) => r.flag));
      expect(rows.map((r) => r.day)).toEqual(
        expected.map((r) =>
          r.day === null ? null : new Date(r.day * 86_400_000).toISOString().slice(0, 10),
        ),
      );
      expect(rows.map((r) => r.note)).toEqual(expected.map((r) => r.note));
      const stats = (
        await conn.runAndReadAll(
          `SELECT stats_min_value AS lo, stats_max_value AS hi FROM parquet_metadata('${path}')
           WHERE row_group_id = 0 AND path_in_schema = 'n'`,
        )
      ).getRowObjects()[0]!;
      const ns = groups[0]!.map((r) => r.n).filter((n): n is number => n !== null);
      expect([stats.lo, stats.hi]).toEqual([String(Math.min(...ns)), String(Math.max(...ns))]);
    } finally {
      conn.closeSync();
      duck.closeSync();
    }
  });

  it('refuses a whole number past 64 bits and a null in a required column, naming the column', () => {
    const writer = new ParquetFileWriter(schema, specs, 'test');
    const row = makeRow(0, 1);
    const big = columnsOf([row]);
    big[2] = { values: Float64Array.of(2 ** 63), nulls: null };
    expect(() => writer.rowGroup(1, big)).toThrow(
      /column n: 9223372036854776000 does not fit a Parquet INT64/,
    );
    const missing = columnsOf([row]);
    missing[1] = { values: Float64Array.of(0), nulls: Uint8Array.of(1) };
    expect(() => writer.rowGroup(1, missing)).toThrow(/column at: 1 null\(s\) in a required column/);
  });
});
