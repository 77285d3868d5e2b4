/**
 * A spine uploaded as CSV, read as a stream (csv-parse) and handed out in chunks of
 * SpineRows: the header must name the timestamp column and exactly the spine columns
 * the plan's views read; each row's timestamp is parsed as the contracts parse
 * timestamps (ISO-8601, no zone means UTC). Errors name the row and its line; the rows
 * before it have been handed out already.
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { InputError } from '../errors';
import { coercerFor, coerceMessage, INVALID } from '../pipeline/coerce';
import type { TrainingPlan } from './multi-view';
import type { RowLabel, SpineRow } from './spine-join';

export interface SpineCsvOptions {
  /** The spine column holding each row's time. */
  timestampColumn: string;
  /** Rows per chunk. */
  chunkRows: number;
  /** Rows in all; one more is refused. */
  maxRows: number;
  /** Bytes of one record. */
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
  const parser = input.pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      // A row with too few or too many fields is refused below, naming the row.
      relax_column_count: true,
      info: true,
      max_record_size: opts.maxRecordBytes ?? 64 * 1024,
    }),
  );
  input.on('error', (err) => parser.destroy(err));
  let header: Header | null = null;
  let rows: SpineRow[] = [];
  let lines: number[] = [];
  let total = 0;
  const chunk = (): SpineChunk => {
    const first = total - rows.length;
    const at = lines;
    return { rows, label: (i) => `spine row ${first + i + 1} (line ${at[i]})` };
  };
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (!header) {
        header = readHeader(record, plan, opts.timestampColumn);
        continue;
      }
      total++;
      const where = `spine row ${total} (line ${info.lines})`;
      if (total > opts.maxRows)
        throw new InputError(`${where}: a spine has at most ${opts.maxRows} rows per request`);
      if (record.length !== header.width)
        throw new InputError(
          `${where}: ${record.length} field(s); the header has ${header.width} (${header.names.join(', ')})`,
        );
      const raw = record[header.time]!.trim();
      const at = parseTimestamp(raw);
      if (at === INVALID || at === null || typeof at !== 'number')
        throw new InputError(
          `${where}: ${opts.timestampColumn}: ${at === null ? 'is empty' : coerceMessage(raw, 'timestamp')}`,
        );
      const entity: Record<string, string> = {};
      for (let k = 0; k < header.keys.length; k++) entity[header.keys[k]!] = record[header.keyAt[k]!]!;
      rows.push({ entity, at });
      lines.push(info.lines);
      if (rows.length === opts.chunkRows) {
        yield chunk();
        rows = [];
        lines = [];
      }
    }
  } catch (err) {
    throw asSpineError(err);
  }
  if (!header)
    throw new InputError(
      `the spine is empty: it needs a header line (${expected(plan, opts.timestampColumn)})`,
    );
  if (rows.length > 0) yield chunk();
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

/** csv-parse's own errors (a stray quote, a record too long) as InputErrors naming the line. */
function asSpineError(err: unknown): unknown {
  if (err instanceof InputError) return err;
  const e = err as { code?: string; message?: string; lines?: number };
  if (typeof e?.code === 'string' && e.code.startsWith('CSV_'))
    return new InputError(`spine is not valid CSV: ${e.message}`);
  return err;
}
