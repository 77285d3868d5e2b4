/**
 * A training set from a spine (a CSV stream or file, or a Parquet file) to a sink. The
 * spine is read once, in chunks (spine-csv.ts, spine-parquet.ts), each checked and kept
 * by the join (bulk-join.ts: 12 bytes a row) as it counts what the spine asks of each
 * entity; a bad row anywhere is refused then, before the answer starts. The join then
 * reads the entities asked for often by range, and answers the kept spine a chunk at a
 * time, each written as CSV, Arrow IPC or a Parquet row group before the next is
 * joined. The HTTP endpoint writes to its response, `tidemark training-set` to a file.
 */
import type { Readable } from 'node:stream';
import type { TrainingPlan } from './multi-view';
import type { JoinedChunk, RowLabel, SpineRow } from './spine-join';
import type { SpineSlice } from './spine-slice';
import { spineChunks } from './spine-csv';
import { csvHeader, csvRows } from './training-csv';
import { ArrowTrainingWriter } from './training-arrow';
import { ParquetThreadWriter } from './training-parquet.thread';
import { parquetSpineChunks } from './spine-parquet';

export type TrainingFormat = 'csv' | 'arrow' | 'parquet';
export const TRAINING_FORMATS: readonly TrainingFormat[] = ['csv', 'arrow', 'parquet'];

/** A CSV spine as a stream; a Parquet one is a file (its footer comes last). */
export type SpineInput = { csv: Readable } | { parquet: string };

/** The join of a plan's spine (BulkJoin): every chunk counted and kept, then loaded, then joined. */
export interface SpineJoiner {
  count(rows: SpineRow[], label: RowLabel): void;
  load(): Promise<void>;
  /** Rows counted. */
  readonly length: number;
  /** The kept spine's rows [start, end), joined. */
  join(start: number, end: number): Promise<{ rows: SpineSlice; joined: JoinedChunk }>;
  /** Called once the answer is written or has failed: its memory may be given back; no join follows. */
  release(): void;
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
  chunk(rows: SpineSlice, joined: JoinedChunk): Uint8Array | Promise<Uint8Array>;
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
  const chunkRows = Math.min(opts.chunkRows, chunkRowsFor(plan));
  const spineOpts = {
    timestampColumn: opts.timestampColumn,
    chunkRows: Math.min(chunkRows, COUNT_CHUNK_ROWS),
    maxRows: opts.maxRows,
  };
  const chunks =
    'csv' in input
      ? spineChunks(input.csv, plan, spineOpts)
      : parquetSpineChunks(input.parquet, plan, spineOpts);
  // One chunk's bytes may still be on their way (an encoder thread) while the next is
  // joined: it is written once that one is joined, so the order stays.
  let encoding: Promise<string | Uint8Array> | null = null;
  try {
    // The whole spine is counted first: a bad row is refused here, before the answer starts.
    for await (const { rows, label } of chunks) joiner.count(rows, label);
    await joiner.load();
    for (let at = 0; at < joiner.length; at += chunkRows) {
      const { rows, joined } = await joiner.join(at, Math.min(at + chunkRows, joiner.length));
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
    joiner.release();
    await binary?.close?.();
  }
}

/**
 * Spine rows read and counted at a time, fewer than are joined at a time: a chunk's rows
 * live until it is counted, and at several thousand a chunk V8 judged the rows long-lived
 * and began to allocate them straight into the old generation (allocation-site
 * pretenuring). A million-row spine then left ~100 MB of garbage there and took twice as
 * long to count (measured: 146 MB of heap and 2.1 s at 7,692 rows a chunk, 66 MB and 1.1 s
 * at 1,024).
 */
export const COUNT_CHUNK_ROWS = 1_024;

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
