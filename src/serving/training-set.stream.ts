/**
 * A training set from a spine (a CSV stream or file, or a Parquet file) to a sink, chunk
 * by chunk: the spine is read in chunks (spine-csv.ts, spine-parquet.ts), each joined
 * and written as CSV, Arrow IPC or a Parquet row group before the next is read, so the
 * answer's memory follows a chunk, not the spine. A spine in a file is read twice: first
 * to count what it asks of each entity, so the join can read the entities asked for
 * often by range instead of probing per row (bulk-join.ts). The HTTP endpoint writes to
 * its response, `tidemark training-set` to a file.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { TrainingPlan } from './multi-view';
import type { JoinedChunk, RowLabel, SpineRow } from './spine-join';
import { spineChunks } from './spine-csv';
import { csvHeader, csvRows } from './training-csv';
import { ArrowTrainingWriter } from './training-arrow';
import { ParquetThreadWriter } from './training-parquet.thread';
import { parquetSpineChunks } from './spine-parquet';

export type TrainingFormat = 'csv' | 'arrow' | 'parquet';
export const TRAINING_FORMATS: readonly TrainingFormat[] = ['csv', 'arrow', 'parquet'];

/**
 * A CSV spine as a stream (read once, as it comes) or a file; a Parquet one is a file
 * (its footer comes last). A file is read twice.
 */
export type SpineInput = { csv: Readable } | { csvFile: string } | { parquet: string };

/** The join of a plan's spine chunks; `count` and `load` make a first pass when the spine is a file. */
export interface SpineJoiner {
  join(rows: SpineRow[], label: RowLabel): Promise<JoinedChunk>;
  count?(rows: SpineRow[], label: RowLabel): void;
  load?(): Promise<void>;
}

export interface TrainingSink {
  /** Called once, before the first bytes: once called, a later failure cannot be a clean refusal. */
  start(): Promise<void>;
  write(chunk: string | Uint8Array): Promise<void>;
}

export interface StreamOptions {
  format: TrainingFormat;
  timestampColumn: string;
  chunkRows: number;
  maxRows: number;
}

/** A binary format's writer: a chunk's bytes, then the end's; an encoder on a thread answers later. */
interface BinaryWriter {
  chunk(rows: SpineRow[], joined: JoinedChunk): Uint8Array | Promise<Uint8Array>;
  end(): Uint8Array | Promise<Uint8Array>;
  close?(): Promise<void>;
}

export async function streamTrainingSet(
  joiner: SpineJoiner,
  plan: TrainingPlan,
  input: SpineInput,
  opts: StreamOptions,
  sink: TrainingSink,
): Promise<void> {
  const binary: BinaryWriter | null =
    opts.format === 'arrow'
      ? new ArrowTrainingWriter(plan, opts.timestampColumn)
      : opts.format === 'parquet'
        ? new ParquetThreadWriter(plan, opts.timestampColumn)
        : null;
  let started = false;
  const start = async () => {
    started = true;
    await sink.start();
    if (!binary) await sink.write(csvHeader(plan, opts.timestampColumn));
  };
  const spineOpts = {
    timestampColumn: opts.timestampColumn,
    chunkRows: Math.min(opts.chunkRows, chunkRowsFor(plan)),
    maxRows: opts.maxRows,
  };
  const read = () =>
    'csv' in input
      ? spineChunks(input.csv, plan, spineOpts)
      : 'csvFile' in input
        ? spineChunks(createReadStream(input.csvFile), plan, spineOpts)
        : parquetSpineChunks(input.parquet, plan, spineOpts);
  // The first pass: a bad row is refused here, before the answer starts.
  if (joiner.count && joiner.load && !('csv' in input)) {
    for await (const { rows, label } of read()) joiner.count(rows, label);
    await joiner.load();
  }
  const chunks = read();
  // One chunk's bytes may still be on their way (an encoder thread) while the next is
  // read and joined: it is written once that one is joined, so the order stays.
  let encoding: Promise<string | Uint8Array> | null = null;
  try {
    for await (const { rows, label } of chunks) {
      const joined = await joiner.join(rows, label);
      if (!started) await start();
      const next = Promise.resolve(binary ? binary.chunk(rows, joined) : csvRows(plan, rows, joined));
      // Awaited below, after the previous chunk's bytes; a failure must not go unhandled meanwhile.
      next.catch(() => undefined);
      if (encoding) await sink.write(await encoding);
      encoding = next;
    }
    if (!started) await start();
    if (encoding) await sink.write(await encoding);
    if (binary) await sink.write(await binary.end());
  } finally {
    await binary?.close?.();
  }
}

/**
 * Values joined and written at a time. A chunk's values outlive many young-generation
 * collections (read, joined, then encoded), so the heap grows with a chunk's cells: a
 * wide view gets fewer rows a chunk, a narrow one no more than `chunkRows`.
 */
export const CHUNK_CELLS = 200_000;

export function chunkRowsFor(plan: TrainingPlan): number {
  const width = plan.spineColumns.length + 1 + plan.columns.length;
  return Math.max(1_000, Math.floor(CHUNK_CELLS / width));
}

/** Each output column's type (spine keys, the timestamp, the features), as the formats type them. */
export function columnTypes(plan: TrainingPlan, timestampColumn: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of plan.spineColumns) out[c.name] = c.type;
  out[timestampColumn] = 'timestamp';
  for (const c of plan.columns) out[c.name] = c.type;
  return out;
}
