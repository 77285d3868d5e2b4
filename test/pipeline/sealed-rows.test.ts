import { describe, expect, it } from 'vitest';
import { outputDigest } from '../../src/pipeline/digest';
import { sealRows } from '../../src/pipeline/sealed-rows';
import type { FeatureRow, SealedFeatureRow } from '../../src/domain/rows';
import { Slicer } from '../../src/lib/slices';

const row = (entityKey: string, eventTime: number, values: FeatureRow['values']): FeatureRow => ({
  entityKey,
  eventTime,
  values,
  rowNumber: eventTime,
  rawBatchId: 'b1',
});

/** Every sealed row, batch after batch. */
async function readAll(sealed: AsyncIterable<SealedFeatureRow[]>): Promise<SealedFeatureRow[]> {
  const out: SealedFeatureRow[] = [];
  for await (const batch of sealed) out.push(...batch);
  return out;
}

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

  it('yields each row serialised, then knows the count and the digest of the whole output', async () => {
    const sealed = sealRows([rows.slice(0, 2), rows.slice(2)]);
    expect(() => sealed.digest()).toThrow(/once every feature row was read/);
    const out = await readAll(sealed);
    expect(out).toEqual([
      sealed_('"a"', 1, '{"x":1.5,"y":"p"}'),
      sealed_('"a"', 2, '{"x":null,"y":"q"}', 2),
      sealed_('"b"', 1, '{"x":0,"y":""}'),
    ]);
    expect(sealed.count).toBe(3);
    expect(sealed.digest()).toBe(outputDigest(rows));
  });

  it('makes rows lazily: nothing is transformed before the reader asks', async () => {
    let made = 0;
    async function* source() {
      for (const r of rows) {
        made++;
        yield [r];
      }
    }
    const sealed = sealRows(source());
    expect(made).toBe(0);
    const it = sealed[Symbol.asyncIterator]();
    await it.next();
    expect(made).toBe(1);
  });

  it('lets the event loop turn between batches once a slice is used up', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('other work'));
    const slicer = new Slicer(0); // every slice is used up at once
    for await (const batch of sealRows([rows.slice(0, 1), rows.slice(1)], slicer))
      order.push(`batch of ${batch.length}`);
    expect(order).toEqual(['batch of 1', 'other work', 'batch of 2']);
    expect(slicer.pauses).toBe(2);
  });

  it('can be read only once, and refuses rows out of canonical order', async () => {
    const sealed = sealRows([rows]);
    expect(await readAll(sealed)).toHaveLength(3);
    await expect(readAll(sealed)).rejects.toThrow(/only once/);
    await expect(readAll(sealRows([[rows[2]!, rows[0]!]]))).rejects.toThrow(/order/);
  });

  it('an empty output has the digest of no rows', async () => {
    const sealed = sealRows([]);
    expect(await readAll(sealed)).toEqual([]);
    expect(sealed.count).toBe(0);
    expect(sealed.digest()).toBe(outputDigest([]));
  });
});
