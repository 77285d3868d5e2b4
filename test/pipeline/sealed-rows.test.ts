import { describe, expect, it } from 'vitest';
import { outputDigest } from '../../src/pipeline/digest';
import { sealRows } from '../../src/pipeline/sealed-rows';
import type { FeatureRow } from '../../src/pipeline/row.types';

const row = (entityKey: string, eventTime: number, values: FeatureRow['values']): FeatureRow => ({
  entityKey,
  eventTime,
  values,
  rowNumber: eventTime,
  rawBatchId: 'b1',
});

describe('sealRows', () => {
  const rows = [
    row('"a"', 1, { x: 1.5, y: 'p' }),
    row('"a"', 2, { x: null, y: 'q' }),
    row('"b"', 1, { x: -0, y: '' }),
  ];

  /** A sealed row: its values JSON, and the whole row as the JSON array the store takes. */
  const sealed_ = (entityKey: string, eventTime: number, valuesJson: string, rowNumber = 1) => ({
    entityKey,
    eventTime,
    valuesJson,
    json: `[${JSON.stringify(entityKey)},${eventTime},${valuesJson}]`,
    rowNumber,
    rawBatchId: 'b1',
  });

  it('yields each row serialised, then knows the count and the digest of the whole output', () => {
    const sealed = sealRows(rows);
    expect(() => sealed.digest()).toThrow(/once every feature row was read/);
    const out = [...sealed];
    expect(out).toEqual([
      sealed_('"a"', 1, '{"x":1.5,"y":"p"}'),
      sealed_('"a"', 2, '{"x":null,"y":"q"}', 2),
      sealed_('"b"', 1, '{"x":0,"y":""}'),
    ]);
    expect(sealed.count).toBe(3);
    expect(sealed.digest()).toBe(outputDigest(rows));
  });

  it('makes rows lazily: nothing is transformed before the reader asks', () => {
    let made = 0;
    function* source() {
      for (const r of rows) {
        made++;
        yield r;
      }
    }
    const sealed = sealRows(source());
    expect(made).toBe(0);
    const it = sealed[Symbol.iterator]();
    it.next();
    expect(made).toBe(1);
  });

  it('can be read only once, and refuses rows out of canonical order', () => {
    const sealed = sealRows(rows);
    expect([...sealed]).toHaveLength(3);
    expect(() => [...sealed]).toThrow(/only once/);
    expect(() => [...sealRows([rows[2]!, rows[0]!])]).toThrow(/order/);
  });

  it('an empty output has the digest of no rows', () => {
    const sealed = sealRows([]);
    expect([...sealed]).toEqual([]);
    expect(sealed.count).toBe(0);
    expect(sealed.digest()).toBe(outputDigest([]));
  });
});
