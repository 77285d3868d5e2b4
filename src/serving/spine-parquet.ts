/**
 * A spine uploaded as Parquet (a file on disk: the route spools the upload first, since
 * a Parquet file's footer is at its end), read one row group at a time (hyparquet) and
 * handed out in chunks of SpineRows, as the CSV spine is: the columns must be the
 * timestamp column and exactly the spine columns the plan's views read; a timestamp is
 * a Parquet TIMESTAMP or DATE, or text parsed as the contracts parse timestamps. Errors
 * name the row (and its row group); the rows before it have been handed out already.
 */
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { InputError } from '../errors';
import { coercerFor, coerceMessage, INVALID } from '../pipeline/coerce';
import type { TrainingPlan } from './multi-view';
import type { SpineChunk, SpineCsvOptions } from './spine-csv';
import type { SpineRow } from './spine-join';

const parseTimestamp = coercerFor('timestamp');

export async function* parquetSpineChunks(
  path: string,
  plan: TrainingPlan,
  opts: SpineCsvOptions,
): AsyncGenerator<SpineChunk> {
  const { file, metadata } = await open(path);
  const keys = plan.spineColumns.map((c) => c.name);
  const names = readColumns(metadata, plan, opts.timestampColumn);
  let total = 0;
  let rows: SpineRow[] = [];
  let groups: number[] = [];
  const chunk = (): SpineChunk => {
    const first = total - rows.length;
    const at = groups;
    return { rows, label: (i) => `spine row ${first + i + 1} (row group ${at[i]! + 1})` };
  };
  let groupStart = 0;
  for (let g = 0; g < metadata.row_groups.length; g++) {
    const groupRows = Number(metadata.row_groups[g]!.num_rows);
    const records = await readGroup(file, metadata, names, groupStart, groupStart + groupRows);
    groupStart += groupRows;
    for (const record of records) {
      total++;
      const where = `spine row ${total} (row group ${g + 1})`;
      if (total > opts.maxRows)
        throw new InputError(`${where}: a spine has at most ${opts.maxRows} rows per request`);
      const at = timestamp(record[opts.timestampColumn]);
      if (typeof at === 'string') throw new InputError(`${where}: ${opts.timestampColumn}: ${at}`);
      const entity: Record<string, string> = {};
      for (const k of keys) entity[k] = keyText(record[k]);
      rows.push({ entity, at });
      groups.push(g);
      if (rows.length === opts.chunkRows) {
        yield chunk();
        rows = [];
        groups = [];
      }
    }
  }
  if (rows.length > 0) yield chunk();
}

async function open(path: string): Promise<{ file: AsyncBuffer; metadata: FileMetaData }> {
  const file = await asyncBufferFromFile(path);
  try {
    return { file, metadata: await parquetMetadataAsync(file) };
  } catch (err) {
    throw new InputError(`the spine is not a valid Parquet file: ${(err as Error).message}`);
  }
}

async function readGroup(
  file: AsyncBuffer,
  metadata: FileMetaData,
  columns: string[],
  rowStart: number,
  rowEnd: number,
): Promise<Record<string, unknown>[]> {
  try {
    return await parquetReadObjects({ file, metadata, columns, rowStart, rowEnd });
  } catch (err) {
    throw new InputError(`the spine is not a valid Parquet file: ${(err as Error).message}`);
  }
}

/** The file's top-level columns, checked as the CSV header is. */
function readColumns(metadata: FileMetaData, plan: TrainingPlan, timestampColumn: string): string[] {
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  const known = new Set([timestampColumn, ...plan.spineColumns.map((c) => c.name)]);
  const expected = [...plan.spineColumns.map((c) => c.name), timestampColumn].join(', ');
  for (const n of names) {
    if (!known.has(n)) throw new InputError(`spine columns: unknown column '${n}'; expected ${expected}`);
  }
  const missing = [...known].filter((k) => !names.includes(k));
  if (missing.length > 0)
    throw new InputError(`spine columns: missing column(s) ${missing.join(', ')}; expected ${expected}`);
  return names;
}

/** Epoch ms, or the reason it is not a timestamp. */
function timestamp(v: unknown): number | string {
  if (v === null || v === undefined) return 'is empty';
  if (v instanceof Date) {
    const ms = v.getTime();
    return Number.isFinite(ms) ? ms : 'is not a valid date-time';
  }
  if (typeof v === 'string') {
    const at = parseTimestamp(v.trim());
    if (at === null) return 'is empty';
    return at === INVALID || typeof at !== 'number' ? coerceMessage(v, 'timestamp') : at;
  }
  return `a ${typeof v} is not a timestamp: write a TIMESTAMP, DATE or text column`;
}

/** A key as the CSV spine gives it: text, an empty field for a null. */
function keyText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}
