/**
 * Keyset pages of a run's rejected rows (domain/reject-key.ts): every page is an index
 * seek on (run_id, raw_batch_id, row_number, id) (migration 20261206000002) followed by a
 * walk of at most `limit + 1` entries, forward or backward, however deep the page.
 *
 * The order puts rows without a raw batch last. Engines disagree on where NULL sorts
 * (SQLite first, PostgreSQL last) and a NULL never compares, so the two kinds of rows
 * are two segments, each read with plain comparisons its index can seek on, and a page
 * that runs off the end of the first segment continues into the second.
 */
import type { Knex } from 'knex';
import { T } from './tables';
import type { RejectKey, RejectPageRequest } from '../domain/reject-key';

type Segment = 'batched' | 'unbatched';

export interface KeysetRow {
  id: number | string;
  run_id: string;
  raw_batch_id: string | null;
  row_number: number;
  raw: string;
  reasons: string;
  source_uri: string | null;
}

/** The page's rows in the rejects' order, and whether more lie beyond it in its direction. */
export async function keysetPage(
  db: Knex | Knex.Transaction,
  runId: string,
  req: RejectPageRequest,
): Promise<{ rows: KeysetRow[]; more: boolean }> {
  const want = req.limit + 1;
  const forward = req.direction === 'forward';
  const key = forward ? req.after : req.before;
  // The segments in the direction of travel, the first one entered at the key.
  const order: Segment[] = forward ? ['batched', 'unbatched'] : ['unbatched', 'batched'];
  let start = 0;
  if (key) start = order.indexOf(key.rawBatchId === null ? 'unbatched' : 'batched');
  const rows: KeysetRow[] = [];
  for (let s = start; s < order.length && rows.length < want; s++) {
    const from = s === start ? key : null;
    rows.push(...(await segmentQuery(db, runId, order[s]!, forward, from, want - rows.length)));
  }
  const more = rows.length > req.limit;
  const page = rows.slice(0, req.limit);
  return { rows: forward ? page : page.reverse(), more };
}

/** One segment from `from` (exclusive) or its end, in the direction of travel. */
export function segmentQuery(
  db: Knex | Knex.Transaction,
  runId: string,
  segment: Segment,
  forward: boolean,
  from: RejectKey | null,
  limit: number,
): Knex.QueryBuilder {
  const dir = forward ? 'asc' : 'desc';
  const cmp = forward ? '>' : '<';
  const q = db(`${T.rejectedRows} as j`)
    .leftJoin(`${T.rawBatches} as b`, 'b.id', 'j.raw_batch_id')
    .where('j.run_id', runId)
    .select('j.*', 'b.source_uri')
    .limit(limit);
  if (segment === 'batched') {
    q.whereNotNull('j.raw_batch_id');
    if (from)
      q.whereRaw(`(j.raw_batch_id, j.row_number, j.id) ${cmp} (?, ?, ?)`, [
        from.rawBatchId!,
        from.rowNumber,
        from.id,
      ]);
    q.orderBy([
      { column: 'j.raw_batch_id', order: dir },
      { column: 'j.row_number', order: dir },
      { column: 'j.id', order: dir },
    ]);
  } else {
    q.whereNull('j.raw_batch_id');
    if (from) q.whereRaw(`(j.row_number, j.id) ${cmp} (?, ?)`, [from.rowNumber, from.id]);
    q.orderBy([
      { column: 'j.row_number', order: dir },
      { column: 'j.id', order: dir },
    ]);
  }
  return q;
}

export function keyOf(r: KeysetRow): RejectKey {
  return { rawBatchId: r.raw_batch_id, rowNumber: r.row_number, id: Number(r.id) };
}
