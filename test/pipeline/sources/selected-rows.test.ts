/**
 * A re-read for a few rows (validation rejects getting their source records back)
 * must find exactly the records a full read numbers so, whatever the dialect, the
 * header setting, quoted multi-line records or the chunking.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsvBatches } from '../../../src/pipeline/sources/csv.source';
import { readJsonlBatches } from '../../../src/pipeline/sources/jsonl.source';
import type { ParsedRecord } from '../../../src/domain/rows';
import type { ColumnSpec, SourceSpec } from '../../../src/domain/contract';

const schema = [
  { name: 'city', type: 'string' },
  { name: 'temp', type: 'number' },
] as ColumnSpec[];

async function all(gen: AsyncGenerator<ParsedRecord[]>): Promise<ParsedRecord[]> {
  const out: ParsedRecord[] = [];
  for await (const batch of gen) out.push(...batch);
  return out;
}

function chunked(text: string, cuts: number[]): Readable {
  const bytes = Buffer.from(text);
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    parts.push(bytes.subarray(from, c));
    from = c;
  }
  return Readable.from(parts.filter((p) => p.length > 0));
}

const cell = fc.oneof(
  fc.constantFrom('a', 'São', '12.5', '', 'x y'),
  fc.constantFrom('"q,uoted"', '"multi\nline"', '"say ""hi"""'),
);
const line = fc.array(cell, { minLength: 1, maxLength: 3 }).map((cells) => cells.join(','));

describe('reading selected rows of a raw batch', () => {
  it('CSV: the selected rows are the full read’s rows of those numbers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.array(fc.nat({ max: 40 }), { maxLength: 8 }),
        async (lines, header, cuts, picks) => {
          const spec = { type: 'csv', path: 'x.csv', header } as SourceSpec;
          const text = (header ? 'city,temp\n' : '') + lines.join('\n') + '\n';
          const whole = await all(readCsvBatches(chunked(text, []), spec, schema, 'raw_1'));
          const rows = new Set(picks.map((p) => p % (whole.length + 2)));
          const some = await all(readCsvBatches(chunked(text, cuts), spec, schema, 'raw_1', rows));
          expect(some).toEqual(whole.filter((r) => rows.has(r.rowNumber)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('JSON Lines: blank lines are not rows, unwanted lines are not parsed', async () => {
    const text = '{"city":"a"}\n\n{"city":"b"}\nnot json\n{"city":"c"}\n';
    const whole = await all(readJsonlBatches(chunked(text, [5, 17]), 'raw_1'));
    const some = await all(readJsonlBatches(chunked(text, [3]), 'raw_1', 'utf8', new Set([2, 4])));
    expect(some).toEqual(whole.filter((r) => r.rowNumber === 2 || r.rowNumber === 4));
    expect(some.map((r) => r.raw)).toEqual([{ city: 'b' }, { city: 'c' }]);
  });
});
