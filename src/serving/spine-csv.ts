/**
 * A spine uploaded as CSV, read as a stream and handed out in chunks of SpineRows: the
 * header must name the timestamp column and exactly the spine columns the plan's views
 * read; each row's timestamp is parsed as the contracts parse timestamps (ISO-8601, no
 * zone means UTC). Errors name the row and its line; the rows before it have been
 * handed out already.
 *
 * Records are split by the ingest's CSV splitter (csv-parse's semantics, a fast path
 * for lines without quotes): csv-parse's per-record objects and stream events cost a
 * million-row spine more than its join's store reads.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../errors';
import { coercerFor, coerceMessage, INVALID } from '../pipeline/coerce';
import { CsvSplitter, CsvSyntaxError } from '../pipeline/sources/csv-splitter';
import type { TrainingPlan } from './multi-view';
import type { RowLabel, SpineRow } from './spine-join';

export interface SpineCsvOptions {
  /** The spine column holding each row's time. */
  timestampColumn: string;
  /** Rows per chunk. */
  chunkRows: number;
  /** Rows in all; one more is refused. */
  maxRows: number;
  /** Characters of one record. */
  maxRecordBytes?: number;
}

export interface SpineChunk {
  rows: SpineRow[];
  label: RowLabel;
}

const parseTimestamp = coercerFor('timestamp');

export async function* spineChunks(
  input: Readable,
  plan: TrainingPlan,
  opts: SpineCsvOptions,
): AsyncGenerator<SpineChunk> {
  const maxRecord = opts.maxRecordBytes ?? 64 * 1024;
  const splitter = new CsvSplitter({ delimiter: ',', quote: '"' });
  const decoder = new StringDecoder('utf8');
  let header: Header | null = null;
  let rows: SpineRow[] = [];
  let lines: number[] = [];
  let total = 0;
  const chunk = (): SpineChunk => {
    const first = total - rows.length;
    const at = lines;
    return { rows, label: (i) => `spine row ${first + i + 1} (line ${at[i]})` };
  };
  const records: string[][] = [];
  const starts: number[] = [];
  let lastStart = 1;
  const split = (text: string | null) => {
    try {
      if (text === null) splitter.end(records, starts);
      else splitter.push(text, records, starts);
    } catch (err) {
      if (err instanceof CsvSyntaxError) throw new InputError(`spine is not valid CSV: ${err.message}`);
      throw err;
    }
    if (starts.length > 0) lastStart = starts[starts.length - 1]!;
    if (splitter.pendingLength > maxRecord)
      throw new InputError(
        `spine is not valid CSV: a record after line ${lastStart} is longer than ${maxRecord} characters`,
      );
  };
  const source = (async function* () {
    for await (const data of input) yield typeof data === 'string' ? data : decoder.write(data as Buffer);
    yield decoder.end();
    yield null;
  })();
  for await (const text of source) {
    records.length = 0;
    starts.length = 0;
    split(text);
    for (let r = 0; r < records.length; r++) {
      const record = records[r]!;
      if (!header) {
        header = readHeader(record, plan, opts.timestampColumn);
        continue;
      }
      total++;
      const line = starts[r]!;
      if (total > opts.maxRows)
        throw new InputError(`${where(total, line)}: a spine has at most ${opts.maxRows} rows per request`);
      if (record.length !== header.width)
        throw new InputError(
          `${where(total, line)}: ${record.length} field(s); the header has ${header.width} (${header.names.join(', ')})`,
        );
      const raw = record[header.time]!.trim();
      const at = parseTimestamp(raw);
      if (at === INVALID || at === null || typeof at !== 'number')
        throw new InputError(
          `${where(total, line)}: ${opts.timestampColumn}: ${at === null ? 'is empty' : coerceMessage(raw, 'timestamp')}`,
        );
      const entity: Record<string, string> = {};
      for (let k = 0; k < header.keys.length; k++) entity[header.keys[k]!] = record[header.keyAt[k]!]!;
      rows.push({ entity, at });
      lines.push(line);
      if (rows.length === opts.chunkRows) {
        yield chunk();
        rows = [];
        lines = [];
      }
    }
  }
  if (!header)
    throw new InputError(
      `the spine is empty: it needs a header line (${expected(plan, opts.timestampColumn)})`,
    );
  if (rows.length > 0) yield chunk();
}

/** A row in an error message (made only for one: a closure per row cost a million-row spine half a second). */
function where(row: number, line: number): string {
  return `spine row ${row} (line ${line})`;
}

interface Header {
  names: string[];
  width: number;
  time: number;
  keys: string[];
  keyAt: number[];
}

function readHeader(record: string[], plan: TrainingPlan, timestampColumn: string): Header {
  const names = record.map((s) => s.trim());
  const known = new Set([timestampColumn, ...plan.spineColumns.map((c) => c.name)]);
  const seen = new Set<string>();
  for (const n of names) {
    if (!known.has(n))
      throw new InputError(
        `spine header (line 1): unknown column '${n}'; expected ${expected(plan, timestampColumn)}`,
      );
    if (seen.has(n)) throw new InputError(`spine header (line 1): column ${n} is given twice`);
    seen.add(n);
  }
  const missing = [...known].filter((k) => !seen.has(k));
  if (missing.length > 0)
    throw new InputError(
      `spine header (line 1): missing column(s) ${missing.join(', ')}; expected ${expected(plan, timestampColumn)}`,
    );
  const keys = plan.spineColumns.map((c) => c.name);
  return {
    names,
    width: names.length,
    time: names.indexOf(timestampColumn),
    keys,
    keyAt: keys.map((k) => names.indexOf(k)),
  };
}

function expected(plan: TrainingPlan, timestampColumn: string): string {
  return [...plan.spineColumns.map((c) => c.name), timestampColumn].join(', ');
}
