/**
 * Read → cleanse → filter, streamed batch by batch: records are parsed a chunk at a
 * time from the kept raw batches; only cleansed rows, in columns (columnar-rows.ts),
 * and the rejects, with their source records, are kept.
 */
import type { RawStore } from './raw-store';
import type { RawBatch } from '../domain/raw-batch';
import type { CleanRow } from '../domain/rows';
import type { RejectReason, RejectedRow } from '../domain/reject';
import type { TypedRow } from '../domain/value';
import type { CompiledContract } from './compiled-contract';
import type { CleanRows } from '../domain/clean-rows';
import { ColumnarRowsBuilder } from './columnar-rows';
import { readRawBatch } from './sources/read-raw-batch';
import { detached } from './detach';
import { ROWS_PER_LOOK, Slicer } from '../lib/slices';

export interface ReadResult {
  clean: CleanRows;
  rejects: RejectedRow[];
  read: number;
  filtered: number;
  presentColumns: string[];
  rowCounts: Map<string, number>;
}

export type ProgressFn = (p: { stage: string; rows: number; rowsPerSec: number }) => void;

const PROGRESS_EVERY = 50_000;

export async function readStage(
  rawStore: RawStore,
  batches: RawBatch[],
  compiled: CompiledContract,
  progress?: ProgressFn,
  slicer = new Slicer(),
): Promise<ReadResult> {
  const { contract } = compiled;
  const clean = new ColumnarRowsBuilder({
    columns: contract.schema,
    eventTime: contract.eventTime,
    keyColumns: contract.entity.key,
    entityKey: compiled.cells.entityKey,
  });
  const out: Omit<ReadResult, 'clean'> = {
    rejects: [],
    read: 0,
    filtered: 0,
    presentColumns: [],
    rowCounts: new Map(),
  };
  const present = new Set<string>();
  // One values object for every row: cleansing fills it, the builder copies it.
  const values: TypedRow = {};
  const started = Date.now();
  for (const batch of batches) {
    let inBatch = 0;
    let sawColumns = false;
    for await (const records of readRawBatch(rawStore.open(batch.storagePath), batch, compiled.contract)) {
      for (const rec of records) {
        inBatch++;
        out.read++;
        if (out.read % ROWS_PER_LOOK === 0) await slicer.maybePause();
        // A line that could not be parsed (a short CSV line, invalid JSON) does not show the columns.
        if (!sawColumns && !rec.parseError) {
          sawColumns = true;
          for (const k of Object.keys(rec.raw)) if (!k.startsWith('_')) present.add(k);
        }
        if (rec.parseError) {
          out.rejects.push(detached({ ...rec, reasons: [{ rule: 'parse', message: rec.parseError }] }));
          continue;
        }
        const reasons = compiled.cells.fill(rec.raw, values);
        if (reasons) out.rejects.push(detached({ ...rec, reasons }));
        else if (!compiled.filter(values)) out.filtered++;
        else clean.append(values, rec.rowNumber, rec.rawBatchId);
        if (progress && out.read % PROGRESS_EVERY === 0) {
          progress({ stage: 'read', rows: out.read, rowsPerSec: rate(out.read, started) });
        }
      }
    }
    out.rowCounts.set(batch.id, inBatch);
  }
  out.presentColumns = [...present];
  return { ...out, clean: clean.finish() };
}

export function rate(rows: number, started: number): number {
  const secs = Math.max(0.001, (Date.now() - started) / 1000);
  return Math.round(rows / secs);
}

/**
 * Validation rejects keep their source record, which the read stage let go: read the
 * batches that hold them again (kept raw batches are immutable, so these are the same
 * records) and stop each one at its last wanted row.
 */
export async function rejectsWithRaw(
  rawStore: RawStore,
  batches: RawBatch[],
  compiled: CompiledContract,
  rejected: ReadonlyArray<{ row: CleanRow; reasons: RejectReason[] }>,
  slicer = new Slicer(),
): Promise<RejectedRow[]> {
  const wanted = new Map<string, Map<number, RejectedRow>>();
  const out = rejected.map(({ row, reasons }) => {
    const reject: RejectedRow = {
      rowNumber: row.rowNumber,
      rawBatchId: row.rawBatchId,
      raw: row.raw ?? {},
      reasons,
    };
    if (!row.raw) {
      let inBatch = wanted.get(row.rawBatchId);
      if (!inBatch) wanted.set(row.rawBatchId, (inBatch = new Map()));
      inBatch.set(row.rowNumber, reject);
    }
    return reject;
  });
  for (const batch of batches) {
    const inBatch = wanted.get(batch.id);
    if (!inBatch) continue;
    let left = inBatch.size;
    const rows = new Set(inBatch.keys());
    for await (const records of readRawBatch(
      rawStore.open(batch.storagePath),
      batch,
      compiled.contract,
      rows,
    )) {
      for (const rec of records) {
        if (rec.rowNumber % ROWS_PER_LOOK === 0) await slicer.maybePause();
        const reject = inBatch.get(rec.rowNumber);
        if (reject) {
          reject.raw = detached(rec.raw);
          left--;
        }
      }
      // Leaving the loop closes the batch's file (the source's finally).
      if (left === 0) break;
    }
    if (left > 0)
      throw new Error(`raw batch ${batch.id} no longer holds ${left} of the rows it was read with`);
  }
  return out;
}
