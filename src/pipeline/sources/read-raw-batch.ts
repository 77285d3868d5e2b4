/** Records of a kept raw batch, parsed by the source format it was acquired with, in arrays. */
import type { Readable } from 'node:stream';
import type { Contract } from '../../domain/contract';
import type { RawBatch } from '../../domain/raw-batch';
import type { ParsedRecord } from '../../domain/rows';
import { readCsvBatches } from './csv.source';
import { readJsonlBatches } from './jsonl.source';

/** `rows`: only the records with these row numbers (a re-read for a few rows). */
export function readRawBatch(
  input: Readable,
  batch: RawBatch,
  contract: Contract,
  rows?: ReadonlySet<number>,
): AsyncGenerator<ParsedRecord[]> {
  if (batch.sourceType === 'csv')
    return readCsvBatches(input, contract.source, contract.schema, batch.id, rows);
  // push, jsonl and streamed micro-batches are all kept as JSON Lines.
  return readJsonlBatches(input, batch.id, 'utf8', rows);
}
