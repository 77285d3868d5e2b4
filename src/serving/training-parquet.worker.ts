/**
 * The thread that encodes a bulk training set's Parquet row groups (see
 * training-parquet.thread.ts): the layout first, then one chunk per request, then the
 * footer; each answer's bytes are moved back, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { serveRequests } from '../lib/ts-worker';
import { ParquetTrainingWriter, type ParquetChunk, type ParquetLayout } from './training-parquet';

export type EncoderRequest =
  { type: 'layout'; layout: ParquetLayout } | { type: 'chunk'; chunk: ParquetChunk } | { type: 'end' };

let writer: ParquetTrainingWriter | null = null;

serveRequests<EncoderRequest, Uint8Array | null>(parentPort!, (req) => {
  if (req.type === 'layout') {
    writer = new ParquetTrainingWriter(req.layout);
    return { ok: null };
  }
  if (!writer) throw new Error('no layout was given before the first chunk');
  const bytes = req.type === 'chunk' ? writer.chunk(req.chunk) : writer.end();
  return { ok: bytes, transfer: [bytes.buffer as ArrayBuffer] };
});
