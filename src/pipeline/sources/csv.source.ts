/**
 * CSV records from a stream, a chunk at a time. Files with a one-character delimiter
 * and quote (nearly all) go through our splitter (csv-splitter.ts); any other dialect
 * through csv-parse. The header is mapped by us rather than by the parser so a line
 * with the wrong number of fields becomes a reject with its line number instead of
 * aborting the file.
 *
 * A header naming a column twice is refused, and so is a file declared UTF-8 (the
 * default) that is not (utf8-guard.ts); a byte-order mark is dropped.
 *
 * Records are yielded in arrays (one per input chunk, about a thousand lines), not one
 * by one: an async step per record cost more than parsing it.
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { CsvError, parse } from 'csv-parse';
import { InputError } from '../../errors';
import type { SourceSpec, ColumnSpec } from '../../domain/contract';
import type { ParsedRecord } from '../../domain/rows';
import { declaresUtf8, utf8Checked } from './utf8-guard';
import { CsvSplitter, CsvSyntaxError, SKIPPED, splitterSupports, type CsvDialect } from './csv-splitter';

/**
 * `rows`: yield only the records with these row numbers (a re-read for a few rows);
 * the others are counted but, where the splitter can tell, not split.
 */
export async function* readCsvBatches(
  input: Readable,
  spec: SourceSpec,
  schema: ColumnSpec[],
  rawBatchId: string,
  rows?: ReadonlySet<number>,
): AsyncGenerator<ParsedRecord[]> {
  const dialect: CsvDialect = { delimiter: spec.delimiter ?? ',', quote: spec.quote ?? '"' };
  const encoding = (spec.encoding as BufferEncoding | undefined) ?? 'utf8';
  let header: string[] | null = spec.header === false ? schema.map((c) => c.from ?? c.name) : null;
  // Record n of the file is row n when its first record is the header, else row n + 1.
  const rowOffset = header === null ? 0 : 1;
  const wanted = rows && ((n: number) => (n === 0 && header === null) || rows.has(n + rowOffset));
  // pipe() does not forward errors: an unreadable input (a missing raw file) would be an
  // unhandled 'error' event that takes the process down. Both readers surface it instead.
  const bytes = declaresUtf8(encoding) ? Readable.from(utf8Checked(input, rawBatchId)) : input;
  const records = splitterSupports(dialect)
    ? splitStream(bytes, dialect, encoding, wanted)
    : parseStream(bytes, dialect, encoding);
  let rowNumber = 0;
  try {
    for await (const chunk of records) {
      const out: ParsedRecord[] = [];
      for (const fields of chunk) {
        if (header === null) {
          header = checkedHeader(fields, rawBatchId);
          continue;
        }
        rowNumber++;
        if (rows && (fields === SKIPPED || !rows.has(rowNumber))) continue;
        out.push(toRecord(fields, header, rowNumber, rawBatchId));
      }
      if (out.length > 0) yield out;
    }
  } catch (err) {
    // Malformed CSV (an unclosed quote, ...) is a problem of the input that no retry can fix.
    if (err instanceof CsvError || err instanceof CsvSyntaxError)
      throw new InputError(`raw batch ${rawBatchId} is not valid CSV: ${err.message}`, { code: err.code });
    throw err;
  } finally {
    // A parse error or an early stop must not leave the raw file open.
    input.destroy();
  }
}

/** Record by record (tests and small callers); the read stage takes the batches. */
export async function* readCsv(
  input: Readable,
  spec: SourceSpec,
  schema: ColumnSpec[],
  rawBatchId: string,
): AsyncGenerator<ParsedRecord> {
  for await (const batch of readCsvBatches(input, spec, schema, rawBatchId)) yield* batch;
}

/**
 * The header's names, trimmed. A name given twice is refused: one of the two columns
 * would silently win, and nothing says which holds the data the contract means.
 */
function checkedHeader(fields: readonly string[], rawBatchId: string): string[] {
  const names = fields.map((h) => h.trim());
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const first = seen.get(name);
    if (first !== undefined && name !== '')
      throw new InputError(
        `raw batch ${rawBatchId}: the CSV header names column '${name}' twice (fields ${first + 1} and ${i + 1})`,
        { column: name },
      );
    seen.set(name, i);
  });
  return names;
}

function toRecord(fields: string[], header: string[], rowNumber: number, rawBatchId: string): ParsedRecord {
  const raw: Record<string, unknown> = {};
  const n = Math.min(fields.length, header.length);
  for (let i = 0; i < n; i++) raw[header[i]!] = fields[i];
  if (fields.length === header.length) return { rowNumber, rawBatchId, raw };
  return {
    rowNumber,
    rawBatchId,
    raw: fields.length > header.length ? { ...raw, _extra: fields.slice(header.length) } : raw,
    parseError: `expected ${header.length} fields, found ${fields.length}`,
  };
}

async function* splitStream(
  input: Readable,
  dialect: CsvDialect,
  encoding: BufferEncoding,
  wanted?: (record: number) => boolean,
): AsyncGenerator<string[][]> {
  const decoder = new StringDecoder(encoding);
  const splitter = new CsvSplitter(dialect, wanted);
  for await (const chunk of input) {
    const out: string[][] = [];
    splitter.push(typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer), out);
    if (out.length > 0) yield out;
  }
  const out: string[][] = [];
  splitter.push(decoder.end(), out);
  splitter.end(out);
  if (out.length > 0) yield out;
}

/** Dialects the splitter does not take (multi-character delimiters or quotes). */
async function* parseStream(
  input: Readable,
  dialect: CsvDialect,
  encoding: BufferEncoding,
): AsyncGenerator<string[][]> {
  const parser = parse({
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    encoding,
  });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let batch: string[][] = [];
  for await (const fields of parser as AsyncIterable<string[]>) {
    batch.push(fields);
    if (batch.length === 1000) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
