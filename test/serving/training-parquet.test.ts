/**
 * The Parquet writer's columns as they cross to the encoding thread: each stored value
 * in its column's type, a value that does not fit a null (never a wrong number), the
 * numeric columns in typed arrays that are moved, and the file read back by hyparquet.
 */
import { describe, expect, it } from 'vitest';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { TrainingPlan } from '../../src/serving/multi-view';
import type { JoinedChunk, SpineRow } from '../../src/serving/spine-join';
import type { Value } from '../../src/domain/value';
import { parquetChunk, parquetLayout, ParquetTrainingWriter } from '../../src/serving/training-parquet';
import { KeyColumn, spineSlice } from '../../src/serving/spine-slice';

const keysOf = (p: TrainingPlan) => p.spineColumns.map((c) => new KeyColumn(c.name, c.type));

const plan = {
  spineColumns: [{ name: 'country', type: 'string' }],
  columns: [
    { name: 'cases', type: 'int' },
    { name: 'rate', type: 'float' },
    { name: 'ok', type: 'bool' },
    { name: 'tag', type: 'string' },
    { name: 'day', type: 'date' },
    { name: 'seen', type: 'timestamp' },
  ],
} as unknown as TrainingPlan;

const T0 = Date.UTC(2024, 4, 3, 12, 30);
const rows: SpineRow[] = [
  { entity: { country: 'FRA' }, at: T0 },
  { entity: { country: 'DEU' }, at: T0 + 1 },
  { entity: { country: 'ITA' }, at: T0 + 2 },
];
const columns: Value[][] = [
  [2 ** 40 + 1, null, 'many'],
  [0.25, -3, null],
  [true, null, false],
  ['a', 7, null],
  [Date.UTC(2024, 4, 3), '2024-05-04', 'not a date'],
  [T0, null, '2024-05-04T01:02:03.004Z'],
];
type Wire = { values?: ArrayLike<number>; nulls?: ArrayLike<number> | null; text?: unknown[] };
const joined = { length: 3, values: columns, matches: [] } as unknown as JoinedChunk;

async function readBack(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file })) as Record<string, unknown>[];
}

describe('Parquet training set columns', () => {
  it('crosses as typed arrays (moved) and text, with a null flag only where a null is', () => {
    const layout = parquetLayout(plan, 'timestamp');
    expect(layout.names).toEqual(['country', 'timestamp', 'cases', 'rate', 'ok', 'tag', 'day', 'seen']);
    const { chunk, transfer } = parquetChunk(layout, keysOf(plan), spineSlice(rows), joined);
    const [country, time, cases, rate, ok, tag, day] = chunk.columns as unknown as Wire[];
    expect(country).toEqual({ text: ['FRA', 'DEU', 'ITA'] });
    expect(Array.from(time!.values!)).toEqual([T0, T0 + 1, T0 + 2]);
    expect(time!.nulls).toBeNull();
    expect(Array.from(cases!.nulls!)).toEqual([0, 1, 1]);
    expect(Array.from(ok!.values!)).toEqual([1, 0, 0]);
    expect(Array.from(ok!.nulls!)).toEqual([0, 1, 0]);
    expect(tag).toEqual({ text: ['a', '7', null] });
    expect(Array.from(day!.values!).slice(0, 2)).toEqual([19846, 19847]);
    expect(rate!.nulls).not.toBeNull();
    // Every numeric column's buffers go along, none twice.
    expect(new Set(transfer).size).toBe(transfer.length);
    expect(transfer.length).toBe(1 + 2 * 5); // the times, then five columns with nulls
  });

  it('writes a file whose values and nulls read back by type', async () => {
    const layout = parquetLayout(plan, 'timestamp');
    const writer = new ParquetTrainingWriter(layout);
    const { chunk } = parquetChunk(layout, keysOf(plan), spineSlice(rows), joined);
    const first = writer.chunk(chunk);
    const bytes = new Uint8Array([...first, ...writer.end()]);
    const meta = parquetMetadata(bytes.buffer as ArrayBuffer);
    expect(Number(meta.num_rows)).toBe(3);
    const types = Object.fromEntries(meta.schema.slice(1).map((e) => [e.name, [e.type, e.repetition_type]]));
    expect(types).toMatchObject({
      timestamp: ['INT64', 'REQUIRED'],
      cases: ['INT64', 'OPTIONAL'],
      rate: ['DOUBLE', 'OPTIONAL'],
      ok: ['BOOLEAN', 'OPTIONAL'],
      tag: ['BYTE_ARRAY', 'OPTIONAL'],
      day: ['INT32', 'OPTIONAL'],
    });
    const back = await readBack(bytes);
    expect(back.map((r) => r.cases)).toEqual([2n ** 40n + 1n, null, null]);
    expect(back.map((r) => r.rate)).toEqual([0.25, -3, null]);
    expect(back.map((r) => r.ok)).toEqual([true, null, false]);
    expect(back.map((r) => r.tag)).toEqual(['a', '7', null]);
    expect(back.map((r) => (r.day as Date | null)?.toISOString() ?? null)).toEqual([
      '2024-05-03T00:00:00.000Z',
      '2024-05-04T00:00:00.000Z',
      null,
    ]);
    expect(back.map((r) => (r.seen as Date | null)?.toISOString() ?? null)).toEqual([
      new Date(T0).toISOString(),
      null,
      '2024-05-04T01:02:03.004Z',
    ]);
    expect(back.map((r) => (r.timestamp as Date).getTime())).toEqual([T0, T0 + 1, T0 + 2]);
  });

  it('writes int64 columns without nulls exactly, across 32 bits and below zero', async () => {
    const wide = [
      0,
      -1,
      2 ** 32,
      -(2 ** 32) - 1,
      2 ** 53 - 1,
      -(2 ** 53) + 1,
      Date.UTC(1900, 0, 1),
      1733472000000,
    ];
    const at = [-1, 0, 2 ** 32 - 1, -(2 ** 32), Date.UTC(1900, 0, 1), Date.UTC(2262, 0, 1), 1, T0];
    const intPlan = { spineColumns: [], columns: [{ name: 'n', type: 'int' }] } as unknown as TrainingPlan;
    const layout = parquetLayout(intPlan, 'timestamp');
    const writer = new ParquetTrainingWriter(layout);
    const slice = spineSlice(at.map((t) => ({ entity: {}, at: t })));
    const intJoined = {
      length: wide.length,
      values: [Float64Array.from(wide)],
      matches: [],
    } as unknown as JoinedChunk;
    const { chunk } = parquetChunk(layout, [], slice, intJoined);
    const bytes = new Uint8Array([...writer.chunk(chunk), ...writer.end()]);
    const back = await readBack(bytes);
    expect(back.map((r) => r.n)).toEqual(wide.map((x) => BigInt(x)));
    expect(back.map((r) => (r.timestamp as Date).getTime())).toEqual(at);
  });
});
