/**
 * Where a keyset page of a run's rejected rows starts or ends: a rejected row's place in
 * the order every page of rejects uses. Rows with a raw batch come first, by (raw batch
 * id, row number, id); rows with none (records pushed without one) follow, by (row
 * number, id). The id, unique, settles ties.
 */
export interface RejectKey {
  rawBatchId: string | null;
  rowNumber: number;
  id: number;
}

/** One keyset page: `after` (forward from a key, or from the start) or `before` (backward, or from the end). */
export type RejectPageRequest =
  | { direction: 'forward'; after: RejectKey | null; limit: number }
  | { direction: 'backward'; before: RejectKey | null; limit: number };
