/** Opaque cursors of a run's rejected rows: a row's keyset position (domain/reject-key.ts). */
import type { RejectKey } from '../../domain/reject-key';

export function encodeRejectCursor(k: RejectKey): string {
  return Buffer.from(JSON.stringify(['reject', k.rawBatchId, k.rowNumber, k.id])).toString('base64url');
}

/** The key, or null when `cursor` is not one this API handed out. */
export function decodeRejectCursor(cursor: string): RejectKey | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || v.length !== 4 || v[0] !== 'reject') return null;
    const [, rawBatchId, rowNumber, id] = v as [unknown, unknown, unknown, unknown];
    if (rawBatchId !== null && typeof rawBatchId !== 'string') return null;
    if (!Number.isSafeInteger(rowNumber) || !Number.isSafeInteger(id)) return null;
    return { rawBatchId, rowNumber: rowNumber as number, id: id as number };
  } catch {
    return null; // not base64url JSON: the caller names the argument
  }
}
