/**
 * CSV records from a stream, with csv-parse (streaming, RFC 4180 quoting). The
 * header is mapped by us rather than by the parser so a line with the wrong number
 * of fields becomes a reject with its line number instead of aborting the file.
 */
import type { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { InputError } from '../../errors';
import type { SourceSpec, ColumnSpec } from '../../contracts/contract.types';
import type { ParsedRecord } from '../row.types';

export async function* readCsv(
  input: Readable,
  spec: SourceSpec,
  schema: ColumnSpec[],
  rawBatchId: string,
): AsyncGenerator<ParsedRecord> {
  const parser = parse({
    delimiter: spec.delimiter ?? ',',
    quote: spec.quote ?? '"',
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    encoding: (spec.encoding as BufferEncoding | undefined) ?? 'utf8',
  });
  // pipe() does not forward errors: an unreadable input (a missing raw file) would be an
  // unhandled 'error' event that takes the process down. Fail the parse instead.
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let header: string[] | null = spec.header === false ? schema.map((c) => c.from ?? c.name) : null;
  let rowNumber = 0;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      if (header === null) {
        header = fields.map((h) => h.trim());
        continue;
      }
      rowNumber++;
      const raw: Record<string, unknown> = {};
      const n = Math.min(fields.length, header.length);
      for (let i = 0; i < n; i++) raw[header[i]!] = fields[i];
      if (fields.length !== header.length) {
        yield {
          rowNumber,
          rawBatchId,
          raw: fields.length > header.length ? { ...raw, _extra: fields.slice(header.length) } : raw,
          parseError: `expected ${header.length} fields, found ${fields.length}`,
        };
      } else yield { rowNumber, rawBatchId, raw };
    }
  } catch (err) {
    // Malformed CSV (an unclosed quote, ...) is a problem of the input that no retry can fix.
    if (err instanceof CsvError)
      throw new InputError(`raw batch ${rawBatchId} is not valid CSV: ${err.message}`, { code: err.code });
    throw err;
  } finally {
    // A parse error or an early stop must not leave the raw file open.
    input.destroy();
  }
}

/** The header line of a CSV stream (for columns_match_set and error messages). */
export function csvHeaderOf(record: ParsedRecord): string[] {
  return Object.keys(record.raw).filter((k) => k !== '_extra');
}
