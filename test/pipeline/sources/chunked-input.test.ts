/**
 * Sources read streams chunk by chunk: records, multi-byte characters and line
 * terminators split across chunk boundaries must read exactly as one whole buffer.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../../src/pipeline/sources/csv.source';
import { readJsonl } from '../../../src/pipeline/sources/jsonl.source';
import type { ParsedRecord } from '../../../src/domain/rows';
import type { ColumnSpec, SourceSpec } from '../../../src/domain/contract';

/** The bytes as a stream of `size`-byte chunks (1: every byte on its own). */
function chunked(bytes: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function all(gen: AsyncGenerator<ParsedRecord>): Promise<ParsedRecord[]> {
  const out: ParsedRecord[] = [];
  for await (const r of gen) out.push(r);
  return out;
}

const schema: ColumnSpec[] = [
  { name: 'city', type: 'string' },
  { name: 'temp', type: 'number' },
] as ColumnSpec[];

describe('chunked input', () => {
  const csv = Buffer.from(
    '\uFEFFcity;temp\r\n"Zürich; ""old town""";21.5\r\nSão Paulo;30\r\n\r\n"multi\r\nline";1\r\nshort\r\n東京;18\r\n',
    'utf8',
  );
  const spec = { type: 'csv', path: 'x.csv', delimiter: ';' } as SourceSpec;

  it.each([1, 2, 3, 7, 64, 1 << 16])('CSV in %i-byte chunks reads as the whole file', async (size) => {
    const whole = await all(readCsv(Readable.from([csv]), spec, schema, 'raw_1'));
    expect(whole.map((r) => r.raw)).toEqual([
      { city: 'Zürich; "old town"', temp: '21.5' },
      { city: 'São Paulo', temp: '30' },
      { city: 'multi\r\nline', temp: '1' },
      { city: 'short' },
      { city: '東京', temp: '18' },
    ]);
    expect(whole.map((r) => r.rowNumber)).toEqual([1, 2, 3, 4, 5]);
    expect(whole[3]!.parseError).toBe('expected 2 fields, found 1');
    expect(await all(readCsv(chunked(csv, size), spec, schema, 'raw_1'))).toEqual(whole);
  });

  it('a multi-character delimiter reads through csv-parse the same way', async () => {
    const text = Buffer.from('city||temp\n"a||b"||1\nc||2\n');
    const records = await all(readCsv(chunked(text, 3), { ...spec, delimiter: '||' }, schema, 'raw_1'));
    expect(records.map((r) => r.raw)).toEqual([
      { city: 'a||b', temp: '1' },
      { city: 'c', temp: '2' },
    ]);
  });

  const jsonl = Buffer.from(
    '{"city":"Zürich","t":1}\r\n\n  \n{"city":"東京"}\nnot json\n[1]\n{"last":true}',
    'utf8',
  );

  it.each([1, 2, 5, 1 << 16])('JSON Lines in %i-byte chunks reads as the whole file', async (size) => {
    const records = await all(readJsonl(chunked(jsonl, size), 'raw_1'));
    expect(records.map((r) => [r.rowNumber, r.raw, r.parseError ?? null])).toEqual([
      [1, { city: 'Zürich', t: 1 }, null],
      [2, { city: '東京' }, null],
      [3, { _line: 'not json' }, expect.stringMatching(/^invalid JSON/)],
      [4, { _line: '[1]' }, 'each line must be a JSON object'],
      [5, { last: true }, null],
    ]);
  });
});
