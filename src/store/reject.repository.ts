/** Rejected rows: kept with their raw values, row number, raw batch and every reason. */
import type { Knex } from 'knex';
import { T } from './tables';
import { batchInsert, fromJson, toCount, type Engine } from './dialect';
import type { RejectedRow, RejectReason } from '../domain/reject';
import type { RawRecord } from '../domain/value';
import type { RejectKey, RejectPageRequest } from '../domain/reject-key';
import { keyOf, keysetPage, type KeysetRow } from './reject-keyset';

/** A stored rejected row with its raw batch's source, as both page readers select it. */
type DbRejectRow = KeysetRow;

export interface StoredReject extends RejectedRow {
  runId: string;
  /** Where the raw batch came from (a landing file's path, a stream range; null for pushed records). */
  sourceUri: string | null;
}

/** A keyset page: its rows with their keys (for cursors), and whether more lie beyond it in its direction. */
export interface RejectKeysetPage {
  rows: Array<StoredReject & { key: RejectKey }>;
  more: boolean;
  totalCount: number;
}

export class RejectRepository {
  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly engine: Engine,
  ) {}

  async insertMany(runId: string, rows: readonly RejectedRow[]): Promise<void> {
    const columns = ['raw_batch_id', 'row_number', 'raw', 'reasons'];
    await batchInsert(
      this.db,
      this.engine,
      T.rejectedRows,
      columns,
      rows,
      (r) => [r.rawBatchId, r.rowNumber, JSON.stringify(r.raw), JSON.stringify(r.reasons)],
      [['run_id', runId]],
    );
    // The total the Run page shows with each page, kept with the rows (migration 20261205010001).
    await this.db(T.runs)
      .where({ id: runId })
      .update({ rejects_stored: this.db.raw('COALESCE(rejects_stored, 0) + ?', [rows.length]) });
  }

  async forRun(
    runId: string,
    first: number,
    offset = 0,
  ): Promise<{ rows: StoredReject[]; totalCount: number }> {
    const rows: DbRejectRow[] = await this.page(runId, first, offset);
    return { totalCount: await this.total(runId), rows: rows.map(toStored) };
  }

  /** One keyset page (store/reject-keyset.ts): an index seek however deep the page. */
  async pageByKey(runId: string, req: RejectPageRequest): Promise<RejectKeysetPage> {
    const [page, totalCount] = await Promise.all([keysetPage(this.db, runId, req), this.total(runId)]);
    return { rows: page.rows.map((r) => ({ ...toStored(r), key: keyOf(r) })), more: page.more, totalCount };
  }

  /** The run's stored count, one row by primary key; counted only for runs stored before it existed. */
  async total(runId: string): Promise<number> {
    const stored = (await this.totalQuery(runId).first()) as
      { rejects_stored: number | string | null } | undefined;
    if (stored?.rejects_stored !== null && stored?.rejects_stored !== undefined)
      return toCount(stored.rejects_stored);
    const n = await this.db(T.rejectedRows).where({ run_id: runId }).count<{ n: number }[]>({ n: '*' });
    return toCount(n[0]?.n);
  }

  totalQuery(runId: string): Knex.QueryBuilder {
    return this.db(T.runs).where({ id: runId }).select('rejects_stored');
  }

  /**
   * One page in (raw batch, row number) order: a walk of the (run_id, raw_batch_id,
   * row_number) index, never a sort of all the run's rejects (test/store/reject.repository.test.ts).
   */
  page(runId: string, first: number, offset: number): Knex.QueryBuilder {
    return this.db(`${T.rejectedRows} as j`)
      .leftJoin(`${T.rawBatches} as b`, 'b.id', 'j.raw_batch_id')
      .where('j.run_id', runId)
      .select('j.*', 'b.source_uri')
      .orderBy([{ column: 'j.raw_batch_id' }, { column: 'j.row_number' }])
      .offset(offset)
      .limit(first);
  }
}

function toStored(r: DbRejectRow): StoredReject {
  return {
    runId: r.run_id,
    rawBatchId: r.raw_batch_id ?? '',
    sourceUri: r.source_uri ?? null,
    rowNumber: r.row_number,
    raw: fromJson<RawRecord>(r.raw)!,
    reasons: fromJson<RejectReason[]>(r.reasons)!,
  };
}
