/** Raw batches (content-addressed inputs) and which runs read them. */
import type { Knex } from 'knex';
import { T } from './tables';
import { toMillis } from './dialect';
import type { RawBatch } from '../domain/raw-batch';

interface DbRawBatchRow {
  id: string;
  contract_name: string;
  sha256: string;
  source_type: string;
  source_uri: string | null;
  size_bytes: number | string;
  row_count: number | null;
  storage_path: string;
  received_at: number | string;
}

export class RawBatchRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async insert(b: RawBatch): Promise<void> {
    await this.db(T.rawBatches).insert(toRow(b));
  }

  /**
   * Inserts `b` unless the contract keeps a batch with the same content already;
   * answers the batch stored either way (usable inside a transaction: no error).
   */
  async insertOrFind(b: RawBatch): Promise<RawBatch> {
    await this.db(T.rawBatches).insert(toRow(b)).onConflict(['contract_name', 'sha256']).ignore();
    return (await this.findBySha(b.contractName, b.sha256))!;
  }

  async findBySha(contractName: string, sha256: string): Promise<RawBatch | null> {
    const row = await this.db<DbRawBatchRow>(T.rawBatches)
      .where({ contract_name: contractName, sha256 })
      .first();
    return row ? toRawBatch(row) : null;
  }

  async get(id: string): Promise<RawBatch | null> {
    const row = await this.db<DbRawBatchRow>(T.rawBatches).where({ id }).first();
    return row ? toRawBatch(row) : null;
  }

  /** Raw batches by id, in the order asked (ids not found are left out). */
  async getMany(ids: readonly string[]): Promise<RawBatch[]> {
    if (ids.length === 0) return [];
    const rows = await this.db<DbRawBatchRow>(T.rawBatches).whereIn('id', [...new Set(ids)]);
    const byId = new Map(rows.map((r) => [r.id, toRawBatch(r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /**
   * The newest raw batch a contract kept of the file at `uri` read whole (before
   * landing segments were recorded, that was every file read).
   */
  async latestOfUri(contractName: string, uri: string): Promise<RawBatch | null> {
    const row = await this.db<DbRawBatchRow>(T.rawBatches)
      .where({ contract_name: contractName, source_uri: uri })
      .orderBy([
        { column: 'received_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    return row ? toRawBatch(row) : null;
  }

  async setRowCount(id: string, rowCount: number): Promise<void> {
    await this.db(T.rawBatches).where({ id }).update({ row_count: rowCount });
  }

  async linkToRun(runId: string, rawBatchIds: string[]): Promise<void> {
    if (rawBatchIds.length === 0) return;
    await this.db(T.runRawBatches).insert(
      rawBatchIds.map((id, i) => ({ run_id: runId, raw_batch_id: id, ordinal: i })),
    );
  }

  /** The raw batches a run read, in the order it read them. */
  async forRun(runId: string): Promise<RawBatch[]> {
    const rows = await this.db<DbRawBatchRow>(T.rawBatches)
      .join(T.runRawBatches, `${T.runRawBatches}.raw_batch_id`, `${T.rawBatches}.id`)
      .where(`${T.runRawBatches}.run_id`, runId)
      .orderBy(`${T.runRawBatches}.ordinal`)
      .select(`${T.rawBatches}.*`);
    return rows.map(toRawBatch);
  }

  /** Raw batches of many runs at once (for batched GraphQL loads). */
  async forRuns(runIds: readonly string[]): Promise<Map<string, RawBatch[]>> {
    const out = new Map<string, RawBatch[]>(runIds.map((id) => [id, []]));
    if (runIds.length === 0) return out;
    const rows = await this.db(T.rawBatches)
      .join(T.runRawBatches, `${T.runRawBatches}.raw_batch_id`, `${T.rawBatches}.id`)
      .whereIn(`${T.runRawBatches}.run_id`, [...runIds])
      .orderBy([{ column: `${T.runRawBatches}.run_id` }, { column: `${T.runRawBatches}.ordinal` }])
      .select(`${T.rawBatches}.*`, `${T.runRawBatches}.run_id as link_run_id`);
    for (const r of rows as Array<DbRawBatchRow & { link_run_id: string }>)
      out.get(r.link_run_id)?.push(toRawBatch(r));
    return out;
  }

  /** Every raw batch of a contract, oldest first (for backfills). */
  async forContract(contractName: string): Promise<RawBatch[]> {
    const rows = await this.db<DbRawBatchRow>(T.rawBatches)
      .where({ contract_name: contractName })
      .orderBy([{ column: 'received_at' }, { column: 'id' }]);
    return rows.map(toRawBatch);
  }

  /**
   * Which of these raw batches a run in `environment` (and, when given, of that
   * contract major) has read already, whatever its outcome.
   */
  async readIn(rawBatchIds: string[], environment: string, major?: number): Promise<Set<string>> {
    if (rawBatchIds.length === 0) return new Set();
    const q = this.db(T.runRawBatches)
      .join(T.runs, `${T.runs}.id`, `${T.runRawBatches}.run_id`)
      .whereIn(`${T.runRawBatches}.raw_batch_id`, rawBatchIds)
      .where(`${T.runs}.environment`, environment);
    if (major !== undefined) q.where(`${T.runs}.contract_major`, major);
    const rows = await q.distinct(`${T.runRawBatches}.raw_batch_id as id`);
    return new Set(rows.map((r: { id: string }) => r.id));
  }

  /** Run ids that read a raw batch. */
  async runsOf(rawBatchId: string): Promise<string[]> {
    const rows = await this.db(T.runRawBatches).where({ raw_batch_id: rawBatchId }).select('run_id');
    return rows.map((r: { run_id: string }) => r.run_id);
  }
}

function toRow(b: RawBatch): DbRawBatchRow {
  return {
    id: b.id,
    contract_name: b.contractName,
    sha256: b.sha256,
    source_type: b.sourceType,
    source_uri: b.sourceUri,
    size_bytes: b.sizeBytes,
    row_count: b.rowCount,
    storage_path: b.storagePath,
    received_at: b.receivedAt,
  };
}

function toRawBatch(r: DbRawBatchRow): RawBatch {
  return {
    id: r.id,
    contractName: r.contract_name,
    sha256: r.sha256,
    sourceType: r.source_type,
    sourceUri: r.source_uri,
    sizeBytes: toMillis(r.size_bytes)!,
    rowCount: r.row_count,
    storagePath: r.storage_path,
    receivedAt: toMillis(r.received_at)!,
  };
}
