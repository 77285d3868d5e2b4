/**
 * What a person calls a raw batch: its file's name (landing files are kept by absolute
 * path; the directory is noise beside a row number), a stream's range as is, nothing
 * for pushed records.
 */
import { basename } from 'node:path';
import type { RawBatch } from '../domain/raw-batch';

export function fileNameOf(sourceUri: string | null): string | null {
  if (!sourceUri) return null;
  return sourceUri.startsWith('/') || /^[A-Za-z]:[\\/]/.test(sourceUri) ? basename(sourceUri) : sourceUri;
}

/** Raw batch id → file name, for the batches that have one. */
export function fileNames(batches: readonly RawBatch[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of batches) {
    const name = fileNameOf(b.sourceUri);
    if (name !== null) out.set(b.id, name);
  }
  return out;
}
