/**
 * What was acquired of each landing file (migrations/20261204100001_landing_segments.ts):
 * per (contract, path) contiguous segments, each kept as a raw batch.
 */
import type { Knex } from 'knex';
import { T } from './tables';
import { isUniqueViolation, toMillis } from './dialect';

export interface LandingSegment {
  contractName: string;
  /** Relative to the landing directory, '/'-separated. */
  path: string;
  /** Byte range [start, end) of the file. */
  start: number;
  end: number;
  /** sha256 of the file's bytes [0, end). */
  prefixSha256: string;
  rawBatchId: string;
  recordedAt: number;
}

interface DbLandingSegmentRow {
  contract_name: string;
  path: string;
  start_offset: number | string;
  end_offset: number | string;
  prefix_sha256: string;
  raw_batch_id: string;
  recorded_at: number | string;
}

export class LandingSegmentRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  /** The segments of a file, in file order. */
  async forPath(contractName: string, path: string): Promise<LandingSegment[]> {
    const rows = await this.db<DbLandingSegmentRow>(T.landingSegments)
      .where({ contract_name: contractName, path })
      .orderBy('start_offset');
    return rows.map(toSegment);
  }

  /** Records a segment; false when one starting at the same offset exists (another reader was first). */
  async insert(s: LandingSegment): Promise<boolean> {
    try {
      await this.db(T.landingSegments).insert(toRow(s));
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** Forgets a file's segments and starts it again from `base` (a forced read of a changed file). */
  async restart(base: LandingSegment): Promise<void> {
    await this.db(T.landingSegments).where({ contract_name: base.contractName, path: base.path }).delete();
    await this.db(T.landingSegments).insert(toRow(base));
  }
}

function toRow(s: LandingSegment): DbLandingSegmentRow {
  return {
    contract_name: s.contractName,
    path: s.path,
    start_offset: s.start,
    end_offset: s.end,
    prefix_sha256: s.prefixSha256,
    raw_batch_id: s.rawBatchId,
    recorded_at: s.recordedAt,
  };
}

function toSegment(r: DbLandingSegmentRow): LandingSegment {
  return {
    contractName: r.contract_name,
    path: r.path,
    start: Number(r.start_offset),
    end: Number(r.end_offset),
    prefixSha256: r.prefix_sha256,
    rawBatchId: r.raw_batch_id,
    recordedAt: toMillis(r.recorded_at)!,
  };
}
