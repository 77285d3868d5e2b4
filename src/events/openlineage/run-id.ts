/**
 * OpenLineage wants a UUID per run; Tidemark run ids are not UUIDs. A name-based
 * UUID (RFC 9562 version 5: SHA-1 of a namespace and the name) maps each Tidemark
 * run id to the same UUID every time, on every instance and after restarts, so a
 * START and its COMPLETE, and a child's parent facet, always agree without storing
 * the mapping.
 */
import { createHash } from 'node:crypto';

/** Tidemark's fixed namespace UUID for run ids: never change it, or every lineage run id changes. */
export const TIDEMARK_RUN_NAMESPACE = '7220f598-129b-4206-a62d-9509b5d376fc';

export function lineageRunId(tidemarkRunId: string): string {
  const namespace = Buffer.from(TIDEMARK_RUN_NAMESPACE.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(namespace).update(tidemarkRunId, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
