/** Rejected rows: kept with their raw values, row number, raw batch and every reason. */
import type { Knex } from 'knex';
import { T } from './tables';
import { batchInsert, fromJson, toCount, type Engine } from './dialect';
import type { RejectedRow, RejectReason } from '../domain/reject';
import type { RawRecord } from '../domain/value';

interface DbRejectRow {
  id: number | string;
  run_id: string;
  raw_batch_id: string | null;
  row_number: number;
  raw: string;
  reasons: string;
}

export interface StoredReject extends RejectedRow {
  runId: string;
  /** Where the raw batch came from (a landing file's path, a stream range; null for pushed records). */
  sourceUri: string | null;
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
  }

  async forRun(
    runId: string,
    first: number,
    offset = 0,
  ): Promise<{ rows: StoredReject[]; totalCount: number }> {
    const total = await this.db(T.rejectedRows).where({ run_id: runId }).count<{ n: number }[]>({ n: '*' });
    const rows: Array<DbRejectRow & { source_uri: string | null }> = await this.page(runId, first, offset);
    return {
      totalCount: toCount(total[0]?.n),
      rows: rows.map((r) => ({
        runId: r.run_id,
        rawBatchId: r.raw_batch_id ?? '',
        sourceUri: r.source_uri ?? null,
        rowNumber: r.row_number,
        raw: fromJson<RawRecord>(r.raw)!,
        reasons: fromJson<RejectReason[]>(r.reasons)!,
      })),
    };
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
