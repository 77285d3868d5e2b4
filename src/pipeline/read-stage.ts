/**
 * Read → cleanse → filter, streamed batch by batch: records are parsed one at a
 * time from the kept raw batches; only cleansed rows (and rejects) are kept.
 */
import type { RawStore } from './raw-store';
import type { RawBatch } from './run.types';
import type { CleanRow, RejectedRow } from './row.types';
import type { CompiledContract } from './compiled-contract';
import { readRawBatch } from './sources/read-raw-batch';

export interface ReadResult {
  clean: CleanRow[];
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
): Promise<ReadResult> {
  const out: ReadResult = {
    clean: [],
    rejects: [],
    read: 0,
    filtered: 0,
    presentColumns: [],
    rowCounts: new Map(),
  };
  const present = new Set<string>();
  const started = Date.now();
  for (const batch of batches) {
    let inBatch = 0;
    let sawColumns = false;
    for await (const records of readRawBatch(rawStore.open(batch.storagePath), batch, compiled.contract)) {
      for (const rec of records) {
        inBatch++;
        out.read++;
        // A line that could not be parsed (a short CSV line, invalid JSON) does not show the columns.
        if (!sawColumns && !rec.parseError) {
          sawColumns = true;
          for (const k of Object.keys(rec.raw)) if (!k.startsWith('_')) present.add(k);
        }
        if (rec.parseError) {
          out.rejects.push({ ...rec, reasons: [{ rule: 'parse', message: rec.parseError }] });
          continue;
        }
        const res = compiled.cleanse(rec);
        if (!res.ok) out.rejects.push({ ...rec, reasons: res.reasons });
        else if (!compiled.filter(res.row.values)) out.filtered++;
        else out.clean.push(res.row);
        if (progress && out.read % PROGRESS_EVERY === 0) {
          progress({ stage: 'read', rows: out.read, rowsPerSec: rate(out.read, started) });
        }
      }
    }
    out.rowCounts.set(batch.id, inBatch);
  }
  out.presentColumns = [...present];
  return out;
}

export function rate(rows: number, started: number): number {
  const secs = Math.max(0.001, (Date.now() - started) / 1000);
  return Math.round(rows / secs);
}
