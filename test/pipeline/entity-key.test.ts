import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnType } from '../../src/domain/contract';
import { decodeEntityKey, encodeEntityKey } from '../../src/pipeline/entity-key';

const D = Date.UTC(2021, 0, 5);

describe('encodeEntityKey', () => {
  it('encodes a one-column key as the JSON of its typed value', () => {
    expect(encodeEntityKey(['country'], { country: 'US', other: 1 })).toBe('"US"');
    expect(encodeEntityKey(['id'], { id: 42 })).toBe('42');
    expect(encodeEntityKey(['flag'], { flag: true })).toBe('true');
  });

  it('keeps the string "1" and the number 1 apart', () => {
    expect(encodeEntityKey(['id'], { id: '1' })).not.toBe(encodeEntityKey(['id'], { id: 1 }));
  });

  it('encodes a composite key as a JSON array in key-column order', () => {
    expect(encodeEntityKey(['country', 'date'], { date: D, country: 'US' })).toBe(`["US",${D}]`);
    expect(encodeEntityKey(['date', 'country'], { date: D, country: 'US' })).toBe(`[${D},"US"]`);
  });

  it('is injective over composite values containing separators and quotes', () => {
    const a = encodeEntityKey(['a', 'b'], { a: 'x","y', b: 'z' });
    const b = encodeEntityKey(['a', 'b'], { a: 'x', b: 'y","z' });
    expect(a).not.toBe(b);
  });

  it('refuses values that cannot be encoded faithfully', () => {
    expect(() => encodeEntityKey(['id'], { id: Number.NaN })).toThrow(TypeError);
    expect(() => encodeEntityKey(['id'], { id: { x: 1 } })).toThrow(TypeError);
  });

  it('round-trips any typed composite key through decode', () => {
    const scalar = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
    );
    fc.assert(
      fc.property(scalar, scalar, (a, b) => {
        const key = encodeEntityKey(['a', 'b'], { a, b });
        // -0 is the one value JSON folds (into 0), which is what equality wants.
        expect(decodeEntityKey(['a', 'b'], key)).toEqual({
          a: Object.is(a, -0) ? 0 : a,
          b: Object.is(b, -0) ? 0 : b,
        });
      }),
    );
  });
});

describe('decodeEntityKey', () => {
  it('gives a scalar for one column and an object for composite keys', () => {
    expect(decodeEntityKey(['country'], '"US"')).toBe('US');
    expect(decodeEntityKey(['id'], '7')).toBe(7);
    expect(decodeEntityKey(['country', 'date'], `["US",${D}]`)).toEqual({ country: 'US', date: D });
  });

  it('renders dates and timestamps when column types are given', () => {
    const types: Record<string, ColumnType> = { country: 'string', date: 'date', at: 'timestamp' };
    expect(decodeEntityKey(['country', 'date'], `["US",${D}]`, types)).toEqual({
      country: 'US',
      date: '2021-01-05',
    });
    expect(decodeEntityKey(['at'], String(D + 1000), types)).toBe('2021-01-05T00:00:01.000Z');
  });

  it('refuses a composite key with the wrong number of parts', () => {
    expect(() => decodeEntityKey(['a', 'b'], '["x"]')).toThrow(TypeError);
  });
});
