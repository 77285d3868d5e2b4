/**
 * One definition of a key for the write side (cleansing) and every read: whatever a
 * row can store, a query finds, and a key too long to store is refused on both sides.
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contract';
import { InputError } from '../../src/errors';
import { compileCleanser, type CleanseResult } from '../../src/pipeline/cleanse';
import { decodeEntityKey, encodeEntityKey } from '../../src/pipeline/entity-key';
import { entityKeyDefinition, MAX_ENTITY_KEY_BYTES } from '../../src/pipeline/entity-key-definition';

const D = Date.UTC(2021, 0, 5);

function contract(over: Partial<Contract> = {}, entity: Partial<Contract['entity']> = {}): Contract {
  return {
    name: 'regions',
    version: '1.0.0',
    owner: 'o',
    entity: { name: 'region', key: ['country', 'province'], ...entity },
    eventTime: 'd',
    source: { type: 'push' },
    schema: [
      { name: 'd', type: 'date', required: true },
      { name: 'country', type: 'string', required: true },
      { name: 'province', type: 'string' },
      { name: 'id', type: 'integer' },
      { name: 'day', type: 'date' },
      { name: 'n', type: 'integer' },
    ],
    expectations: [],
    features: [{ name: 'n', column: 'n' }],
    ...over,
  };
}

function stored(c: Contract, raw: Record<string, unknown>): string {
  const result: CleanseResult = compileCleanser(c)({ rowNumber: 1, rawBatchId: 'b', raw });
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.reasons)}`);
  return result.row.entityKey;
}

describe('entityKeyDefinition: the write side and the read side agree', () => {
  it('finds a key stored with an empty part when "" is not a null token', () => {
    const c = contract({ source: { type: 'push', nullValues: [] } });
    const key = stored(c, { d: '2021-01-01', country: 'France', province: '', n: 5 });
    expect(key).toBe('["France",""]');
    expect(entityKeyDefinition(c).fromInput({ country: 'France', province: '' })).toBe(key);
    expect(entityKeyDefinition(c).fromInput({ country: 'France', province: '  ' })).toBe(key);
  });

  it('reads a null token in a query as the write side does, and says so when it is refused', () => {
    const c = contract();
    expect(() => entityKeyDefinition(c).fromInput({ country: 'France', province: 'NA' })).toThrow(
      /missing province \('NA' is one of the contract's nullValues, so it reads as null, and only columns in entity.nullable may be null\)/,
    );
  });

  it('matches null with null for a part declared nullable: null, a null token or an absent part', () => {
    const c = contract({}, { nullable: ['province'] });
    const fromNull = stored(c, { d: '2021-01-01', country: 'France', province: null, n: 1 });
    const fromAbsent = stored(c, { d: '2021-01-01', country: 'France', n: 1 });
    const fromToken = stored(c, { d: '2021-01-01', country: 'France', province: '', n: 1 });
    expect(new Set([fromNull, fromAbsent, fromToken])).toEqual(new Set(['["France",null]']));
    const def = entityKeyDefinition(c);
    for (const input of [
      { country: 'France', province: null },
      { country: 'France' },
      { country: 'France', province: 'NA' },
    ]) {
      expect(def.fromInput(input)).toBe(fromNull);
    }
    expect(def.decode(fromNull)).toEqual({ country: 'France', province: null });
    expect(def.fromInput(def.decode(fromNull))).toBe(fromNull);
  });

  it('still requires the parts that are not nullable, on both sides', () => {
    const c = contract({}, { nullable: ['province'] });
    const result = compileCleanser(c)({ rowNumber: 1, rawBatchId: 'b', raw: { d: '2021-01-01', n: 1 } });
    expect(result.ok).toBe(false);
    expect(() => entityKeyDefinition(c).fromInput({ province: 'Alsace' })).toThrow(
      'entity key needs columns country, province; missing country',
    );
  });

  it('rejects a row whose key is over the limit with rule key, and refuses it in a read', () => {
    const c = contract();
    const long = 'x'.repeat(MAX_ENTITY_KEY_BYTES);
    const result = compileCleanser(c)({
      rowNumber: 3,
      rawBatchId: 'b',
      raw: { d: '2021-01-01', country: 'France', province: long },
    });
    expect(result).toEqual({
      ok: false,
      reasons: [
        {
          rule: 'key',
          column: 'province',
          message: `entity key (country, province) is ${MAX_ENTITY_KEY_BYTES + 13} bytes encoded; the limit is 1024 bytes`,
        },
      ],
    });
    expect(() => entityKeyDefinition(c).fromInput({ country: 'France', province: long })).toThrow(
      `entity key (country, province) is ${MAX_ENTITY_KEY_BYTES + 13} bytes encoded; the limit is 1024 bytes`,
    );
    // A 10 MB part is refused before any work, without echoing it.
    const huge = 'y'.repeat(10_000_000);
    let message = '';
    try {
      entityKeyDefinition(c).fromInput({ country: huge, province: 'p' });
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      message = (e as Error).message;
    }
    expect(message).toBe(
      'entity key column country is 10000000 characters; an entity key is at most 1024 bytes encoded, so no stored row has it',
    );
  });

  it('measures bytes, not characters, at the limit', () => {
    const c = contract({ entity: { name: 'c', key: ['country'] } });
    // 340 three-byte characters: 1,020 bytes plus two quotes, under the limit; one more is over.
    const fits = '€'.repeat(340);
    expect(stored(c, { d: '2021-01-01', country: fits })).toBe(JSON.stringify(fits));
    const over = compileCleanser(c)({
      rowNumber: 1,
      rawBatchId: 'b',
      raw: { d: '2021-01-01', country: fits + '€' },
    });
    expect(over.ok).toBe(false);
  });
});

describe('entityKeyDefinition.fromInput', () => {
  const single = (key: string) => entityKeyDefinition(contract({ entity: { name: 'e', key: [key] } }));
  const pair = entityKeyDefinition(contract({ entity: { name: 'e', key: ['country', 'day'] } }));

  it('accepts a scalar for a one-column key, coercing like cleansing', () => {
    expect(single('id').fromInput(42)).toBe('42');
    expect(single('id').fromInput(' 42 ')).toBe('42');
    expect(single('country').fromInput('US')).toBe('"US"');
    expect(single('country').fromInput({ country: 'US' })).toBe('"US"');
  });

  it('accepts an object for a composite key, in any property order, and round-trips its decoded form', () => {
    const key = pair.fromInput({ day: '2021-01-05', country: 'US' });
    expect(key).toBe(encodeEntityKey(['country', 'day'], { country: 'US', day: D }));
    expect(pair.fromInput(pair.decode(key))).toBe(key);
    expect(pair.fromInput(decodeEntityKey(['country', 'day'], key))).toBe(key);
  });

  it('names missing columns', () => {
    expect(() => pair.fromInput({ country: 'US' })).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: 'entity key needs columns country, day; missing day',
      }),
    );
    expect(() => pair.fromInput({ country: 'US', day: null })).toThrow(/missing day$/);
    expect(() => single('id').fromInput(null)).toThrow(/missing id/);
  });

  it('refuses a scalar for a composite key and unknown columns', () => {
    expect(() => pair.fromInput('US')).toThrow(/give an object/);
    expect(() => single('country').fromInput({ country: 'US', x: 1 })).toThrow(
      /unknown column\(s\) x; expected country/,
    );
  });

  it('names the column that cannot be coerced', () => {
    expect(() => single('id').fromInput('abc')).toThrow("entity key column id: cannot read 'abc' as integer");
    expect(() => single('country').fromInput(12)).toThrow(InputError);
    expect(() => pair.fromInput({ country: 'US', day: '2021-02-30' })).toThrow(
      /entity key column day: cannot read '2021-02-30' as date/,
    );
  });
});
