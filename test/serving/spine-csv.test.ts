/**
 * The CSV spine reader: rows in chunks, each row named by its spine row and physical
 * line (a quoted key may span lines), a BOM and CRLF lines read as csv-parse reads
 * them, and bad CSV refused with where it is.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { spineChunks } from '../../src/serving/spine-csv';
import type { TrainingPlan } from '../../src/serving/multi-view';

const plan = { spineColumns: [{ name: 'country', type: 'string' }] } as unknown as TrainingPlan;
const opts = { timestampColumn: 'timestamp', chunkRows: 2, maxRows: 100, maxRecordBytes: 200 };

/** The spine given in pieces of `piece` characters, as a network would cut it. */
async function read(text: string, piece = 3, o = opts) {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += piece) parts.push(text.slice(i, i + piece));
  const out: Array<{ entity: unknown; at: string; label: string }> = [];
  const sizes: number[] = [];
  for await (const c of spineChunks(Readable.from(parts.map((p) => Buffer.from(p))), plan, o)) {
    sizes.push(c.rows.length);
    c.rows.forEach((r, i) =>
      out.push({ entity: r.entity, at: new Date(r.at).toISOString(), label: c.label(i) }),
    );
  }
  return { rows: out, sizes };
}

describe('spineChunks', () => {
  it('hands out chunks, each row labelled by its line, a quoted newline counted', async () => {
    const { rows, sizes } = await read(
      '\ufefftimestamp,country\r\n2024-05-01,FRA\r\n\r\n2024-05-02T06:00:00Z,"DE\r\nU"\r\n2024-05-03,"I""TA"\r\n',
    );
    expect(sizes).toEqual([2, 1]);
    expect(rows).toEqual([
      { entity: { country: 'FRA' }, at: '2024-05-01T00:00:00.000Z', label: 'spine row 1 (line 2)' },
      { entity: { country: 'DE\r\nU' }, at: '2024-05-02T06:00:00.000Z', label: 'spine row 2 (line 4)' },
      { entity: { country: 'I"TA' }, at: '2024-05-03T00:00:00.000Z', label: 'spine row 3 (line 6)' },
    ]);
  });

  it('names the row and line of a bad timestamp or a short row', async () => {
    await expect(read('country,timestamp\nFRA,2024-05-01\n\nDEU,yesterday\n')).rejects.toThrow(
      /^spine row 2 \(line 4\): timestamp: /,
    );
    await expect(read('country,timestamp\nFRA,2024-05-01\nDEU\n')).rejects.toThrow(
      'spine row 2 (line 3): 1 field(s); the header has 2 (country, timestamp)',
    );
  });

  it('refuses a stray quote, an unclosed quote and an endless record as CSV errors', async () => {
    await expect(read('country,timestamp\nF"RA,2024-05-01\n')).rejects.toThrow(
      /^spine is not valid CSV: Invalid Opening Quote: a quote is found on field 0 at line 2/,
    );
    await expect(read('country,timestamp\n"FRA,2024-05-01\n')).rejects.toThrow(
      /^spine is not valid CSV: Quote Not Closed: .* at line 2/,
    );
    await expect(read(`country,timestamp\nFRA,2024-05-01\n${'x'.repeat(500)}`, 50)).rejects.toThrow(
      'spine is not valid CSV: a record after line 2 is longer than 200 characters',
    );
  });

  it('refuses the row after the most a request may hold', async () => {
    await expect(
      read('country,timestamp\nFRA,2024-05-01\nDEU,2024-05-01\nITA,2024-05-01\n', 5, { ...opts, maxRows: 2 }),
    ).rejects.toThrow('spine row 3 (line 4): a spine has at most 2 rows per request');
  });
});
