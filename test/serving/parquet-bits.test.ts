/**
 * The byte layouts, checked against the Parquet format by hand: RLE and bit-packed
 * runs, booleans, INT64 words and UTF-8 order of text.
 */
import { describe, expect, it } from 'vitest';
import {
  definitionLevels,
  dictionaryIndexes,
  int64Words,
  packedBooleans,
  plainTexts,
  setValues,
} from '../../src/serving/parquet-bits';
import { compareUtf8 } from '../../src/serving/parquet-column';

describe('Parquet byte layouts', () => {
  it('writes definition levels as one RLE run when all set or all null', () => {
    // 300 rows: varint(600) = 0xd8 0x04, then the level in one byte.
    expect([...definitionLevels(300, null, 0)]).toEqual([0xd8, 0x04, 1]);
    expect([...definitionLevels(3, Uint8Array.of(1, 1, 1), 3)]).toEqual([6, 0]);
  });

  it('writes mixed definition levels as one bit-packed run, a bit per row', () => {
    const nulls = Uint8Array.of(0, 1, 0, 0, 0, 0, 0, 0, 1, 0);
    // Two groups: header (2 << 1) | 1 = 5; rows 0,2-7 set = 0b11111101; rows 9 set = 0b10.
    expect([...definitionLevels(10, nulls, 2)]).toEqual([5, 0b11111101, 0b10]);
  });

  it('bit-packs dictionary indexes at the width of the dictionary', () => {
    // Five values over a dictionary of 3: width 2, one group of 8 (padded with zeros).
    const out = dictionaryIndexes(Int32Array.of(0, 1, 2, 1, 0), 5, 3);
    // Width byte 2, header (1 << 1) | 1 = 3, then 0,1,2,1 in byte one (low bits first), 0 in byte two.
    expect([...out]).toEqual([2, 3, 0b01_10_01_00, 0]);
    // A dictionary of one value still takes one bit per index.
    expect([...dictionaryIndexes(Int32Array.of(0, 0), 2, 1)]).toEqual([1, 3, 0]);
  });

  it('packs booleans a bit each, skipping nulls', () => {
    const values = Uint8Array.of(1, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    const nulls = Uint8Array.of(0, 0, 1, 0, 0, 0, 0, 0, 0, 0);
    expect([...packedBooleans(values, nulls, 9)]).toEqual([0b11111101, 0b1]);
  });

  it('keeps only set values, and the same array when none is null', () => {
    const v = Float64Array.of(1, 2, 3);
    expect(setValues(v, null, 3)).toBe(v);
    expect([...setValues(v, Uint8Array.of(0, 1, 0), 2)]).toEqual([1, 3]);
  });

  it('splits whole numbers into two 32-bit words, exactly to 2^63', () => {
    const xs = [0, -1, 2 ** 32 + 5, -(2 ** 32) - 5, 2 ** 53 - 1, -(2 ** 62), 2 ** 62];
    const words = int64Words(Float64Array.from(xs), 'n');
    const back = new BigInt64Array(words.buffer);
    expect([...back]).toEqual(xs.map((x) => BigInt(x)));
    expect(() => int64Words(Float64Array.of(-(2 ** 64)), 'n')).toThrow(/column n/);
    expect(() => int64Words(Float64Array.of(NaN), 'n')).toThrow(/column n: NaN/);
  });

  it('writes text as a length and its UTF-8 bytes', () => {
    const out = plainTexts(['é', '', 'ab']);
    expect([...out]).toEqual([2, 0, 0, 0, 0xc3, 0xa9, 0, 0, 0, 0, 2, 0, 0, 0, 0x61, 0x62]);
  });

  it('orders text by UTF-8 bytes, not UTF-16 units', () => {
    const texts = ['\uFF21', '\u{1F600}', 'a', 'ab', '', '\u{1F601}', 'é'];
    const byBytes = [...texts].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...texts].sort(compareUtf8)).toEqual(byBytes);
    expect(compareUtf8('\u{1F600}', '\uFF21')).toBeGreaterThan(0);
    expect(compareUtf8('x', 'x')).toBe(0);
  });
});
