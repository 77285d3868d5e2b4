/**
 * Stream offsets: per (contract, environment, source) the committed broker position,
 * i.e. the last message whose micro-batch run committed. It moves inside the run's
 * commit transaction (`advance`, called by the write stage), so the rows and the
 * position are stored together or not at all; that is what makes stream ingestion
 * exactly once. A micro-batch that starts at or before the committed position is
 * refused (the run fails, nothing is written): its messages are stored already.
 *
 * Also reads and writes the `positions` a stream raw batch covers (raw_batches.positions).
 */
import type { Knex } from 'knex';
import { T } from './tables';
import { lockKey, toMillis, type Engine } from './dialect';
import { ConflictError } from '../errors';
import type { Run } from '../domain/run';
import {
  advancesStreamOffsets,
  comparePositions,
  parseBatchPositions,
  type BatchPositions,
} from '../domain/stream-positions';

/** Table name (kept here until tables.ts lists it). */
export const STREAM_OFFSETS = 'stream_offsets';

export interface OffsetKey {
  contract: string;
  environment: string;
  source: string;
}

export interface StreamOffset extends OffsetKey {
  position: string;
  stream: string | null;
  consumer: string | null;
  /** The run that committed it (for a skipped micro-batch: its failed run). */
  runId: string | null;
  rawBatchId: string | null;
  updatedAt: number;
}

interface DbStreamOffsetRow {
  contract_name: string;
  environment: string;
  source: string;
  position: string;
  stream: string | null;
  consumer: string | null;
  run_id: string | null;
  raw_batch_id: string | null;
  updated_at: number | string;
}

export interface AdvanceRequest {
  run: Run;
  rawBatchIds: string[];
  /** Whether the run replaces an earlier one (reprocess, backfill): then offsets stay. */
  replaces: boolean;
  at: number;
}

export class StreamOffsetRepository {
  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly engine: Engine,
  ) {}

  async get(key: OffsetKey): Promise<StreamOffset | null> {
    const row = await this.db<DbStreamOffsetRow>(STREAM_OFFSETS).where(where(key)).first();
    return row ? toOffset(row) : null;
  }

  async list(filter: { contract?: string; environment?: string } = {}): Promise<StreamOffset[]> {
    const q = this.db<DbStreamOffsetRow>(STREAM_OFFSETS);
    if (filter.contract) q.where('contract_name', filter.contract);
    if (filter.environment) q.where('environment', filter.environment);
    const rows = await q.orderBy(['contract_name', 'environment', 'source']);
    return rows.map(toOffset);
  }

  async setBatchPositions(rawBatchId: string, positions: BatchPositions): Promise<void> {
    await this.db(T.rawBatches)
      .where({ id: rawBatchId })
      .update({ positions: JSON.stringify(positions) });
  }

  async batchPositions(rawBatchId: string): Promise<BatchPositions | null> {
    const row = await this.db(T.rawBatches).where({ id: rawBatchId }).first('positions');
    return parseBatchPositions((row as { positions?: string | null } | undefined)?.positions);
  }

  /**
   * Inside the commit transaction of a run: for each of its raw batches that covers
   * stream positions, moves the committed position to the batch's last one, or throws
   * ConflictError when the batch starts at or before it (already written once).
   */
  async advance(req: AdvanceRequest): Promise<void> {
    if (!advancesStreamOffsets(req.run.trigger, req.replaces) || req.rawBatchIds.length === 0) return;
    const rows = (await this.db(T.rawBatches)
      .whereIn('id', req.rawBatchIds)
      .whereNotNull('positions')
      .select('id', 'positions')) as Array<{ id: string; positions: string }>;
    const byId = new Map(rows.map((r) => [r.id, parseBatchPositions(r.positions)]));
    for (const id of req.rawBatchIds) {
      const p = byId.get(id);
      if (p) await this.advanceOne(req, id, p);
    }
  }

  private async advanceOne(req: AdvanceRequest, rawBatchId: string, p: BatchPositions): Promise<void> {
    const key = { contract: req.run.contractName, environment: req.run.environment, source: p.source };
    await this.lock(key);
    const current = await this.get(key);
    if (current && comparePositions(p.from, current.position) <= 0) {
      throw new ConflictError(
        `stream positions ${p.from}..${p.to} of ${p.source} are committed already (up to ${current.position}, ` +
          `run ${current.runId ?? 'unknown'}); raw batch ${rawBatchId} is not written twice`,
        { ...key, committed: current.position, from: p.from, to: p.to },
      );
    }
    await this.upsert(
      key,
      { position: p.to, stream: p.stream, consumer: p.consumer, runId: req.run.id, rawBatchId },
      req.at,
    );
  }

  /**
   * Moves the committed position forward without writing rows: a paused micro-batch
   * that an operator chose to skip. Answers false when the position is there already.
   */
  async skipTo(key: OffsetKey, position: string, runId: string | null, at: number): Promise<boolean> {
    const current = await this.get(key);
    if (current && comparePositions(position, current.position) <= 0) return false;
    await this.upsert(
      key,
      {
        position,
        stream: current?.stream ?? null,
        consumer: current?.consumer ?? null,
        runId,
        rawBatchId: null,
      },
      at,
    );
    return true;
  }

  private async upsert(
    key: OffsetKey,
    v: Pick<StreamOffset, 'position' | 'stream' | 'consumer' | 'runId' | 'rawBatchId'>,
    at: number,
  ): Promise<void> {
    await this.db(STREAM_OFFSETS)
      .insert({
        contract_name: key.contract,
        environment: key.environment,
        source: key.source,
        position: v.position,
        stream: v.stream,
        consumer: v.consumer,
        run_id: v.runId,
        raw_batch_id: v.rawBatchId,
        updated_at: at,
      })
      .onConflict(['contract_name', 'environment', 'source'])
      .merge();
  }

  /** Two commits for one source never interleave (PostgreSQL; SQLite writes one at a time anyway). */
  private async lock(key: OffsetKey): Promise<void> {
    const trx = this.db as Knex.Transaction;
    if (!trx.isTransaction) throw new Error('stream offsets advance only inside the commit transaction');
    await lockKey(trx, this.engine, `stream-offset/${key.contract}/${key.environment}/${key.source}`);
  }
}

function where(key: OffsetKey): Record<string, string> {
  return { contract_name: key.contract, environment: key.environment, source: key.source };
}

function toOffset(r: DbStreamOffsetRow): StreamOffset {
  return {
    contract: r.contract_name,
    environment: r.environment,
    source: r.source,
    position: r.position,
    stream: r.stream,
    consumer: r.consumer,
    runId: r.run_id,
    rawBatchId: r.raw_batch_id,
    updatedAt: toMillis(r.updated_at)!,
  };
}
