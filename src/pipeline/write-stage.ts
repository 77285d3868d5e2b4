/**
 * The commit: one transaction writes the feature rows, the rejects, the raw batch
 * row counts, the lineage edges and the run's final state, and for a
 * reprocess supersedes the parent at the same instant, so no reader ever sees both.
 */
import type { Clock } from '../clock';
import type { Store, Repositories } from '../store/store';
import type { RegisteredContract } from '../domain/registered-contract';
import type { LineageEdge } from '../store/lineage.repository';
import type { ValidationReport } from '../domain/validation-report';
import type { RejectedRow } from '../domain/reject';
import type { SealedRows } from './sealed-rows';
import type { RawBatch } from '../domain/raw-batch';
import type { Run, RunCounts } from '../domain/run';
import { checkView, type ViewStage } from './view-stage';
import { StageTimer } from './stage-timer';
import type { Profile } from '../quality/profile/profile';

/**
 * The run's rejects, known in number before their source records are all read back
 * (see the executor): the commit awaits `rows` only when it comes to write them.
 */
export interface PendingRejects {
  count: number;
  rows: Promise<RejectedRow[]>;
}

/** Called between the writes of the transaction (tests inject faults here). */
export type WriteHook = (stage: 'features' | 'rejects' | 'lineage' | 'run') => Promise<void> | void;

export interface WriteRequest {
  run: Run;
  /** Everything but `written`, which is the number of feature rows inserted. */
  counts: Omit<RunCounts, 'written'>;
  report: ValidationReport;
  /** Made as they are inserted; their digest and count are known once inserted. */
  rows: SealedRows;
  /** Column and feature profiles, complete once `rows` has been read (sealed-rows.ts). */
  profiles?: () => Profile[];
  rejects: PendingRejects;
  rawBatches: RawBatch[];
  rowCounts: Map<string, number>;
  contract: RegisteredContract;
  supersedes: Run | null;
  actor: string;
  hook?: WriteHook;
  /** The contract's `scope: view` expectations, checked before the run is marked succeeded. */
  view?: ViewStage;
  /** The run's stage timings so far; the commit's stages are added and stored with the run. */
  stages?: StageTimer;
}

export async function writeRun(store: Store, clock: Clock, w: WriteRequest): Promise<Run> {
  const t = w.stages ?? new StageTimer();
  return store.transaction(async (tx) => {
    const view = { environment: w.run.environment, contract: w.run.contractName, major: w.run.contractMajor };
    // The rows are transformed as they are inserted (sealed-rows.ts): one stage.
    await t.time(
      'transform and write features',
      () => tx.features.insertMany(w.run.id, view, w.rows),
      () => w.rows.count,
    );
    await w.hook?.('features');
    const profiles = w.profiles;
    if (profiles) await t.time('profiles', () => tx.profiles.insertMany(w.run.id, profiles()));
    await t.time(
      'rejects',
      async () => {
        const rows = await w.rejects.rows;
        await tx.rejects.insertMany(w.run.id, rows);
        return rows.length;
      },
      (n) => n,
    );
    await w.hook?.('rejects');
    const now = clock.now();
    await t.time('lineage', async () => {
      for (const b of w.rawBatches) {
        if (b.rowCount === null) await tx.rawBatches.setRowCount(b.id, w.rowCounts.get(b.id) ?? 0);
      }
      await tx.lineage.insertMany(edges(w, now));
      await w.hook?.('lineage');
      // Stream micro-batches: the consumer's committed position moves with the rows (exactly once).
      const rawBatchIds = w.rawBatches.map((b) => b.id);
      await tx.streamOffsets.advance({ run: w.run, rawBatchIds, replaces: w.supersedes !== null, at: now });
    });
    // Before the run's row is touched (below), so its lease renewals do not wait on them.
    const report = await t.time('view checks', () =>
      checkView(tx, w.view, { ...w, newest: w.rows.newestEventTime }),
    );
    const patch: Partial<Run> = {
      status: 'succeeded',
      counts: { ...w.counts, written: w.rows.count },
      outputDigest: w.rows.digest(),
      validation: report,
      finishedAt: now,
      committedAt: now,
      // A replacement takes the place of the run it supersedes in the tie-break order.
      precedence: w.supersedes ? (w.supersedes.precedence ?? w.supersedes.committedAt ?? now) : now,
      error: null,
      stages: t.list(),
    };
    // The run's row is written last, just before the commit: on PostgreSQL that locks it,
    // and its lease renewals (another connection) wait for the lock while it is held.
    await tx.runs.setNewestEventTime(w.run.id, w.rows.newestEventTime);
    const ok = await tx.runs.update(w.run.id, patch, ['running']);
    if (!ok)
      throw new Error(`run ${w.run.id} left 'running' while it executed (cancelled or recovered elsewhere)`);
    if (w.supersedes) await supersede(tx, w.supersedes, now);
    await w.hook?.('run');
    return { ...w.run, ...patch } as Run;
  });
}

async function supersede(tx: Repositories, parent: Run, now: number): Promise<void> {
  const ok = await tx.runs.update(parent.id, { status: 'superseded', invalidatedAt: now }, ['succeeded']);
  if (!ok) throw new Error(`run ${parent.id} is no longer succeeded; it cannot be superseded`);
}

function edges(w: WriteRequest, now: number): LineageEdge[] {
  const view = `${w.run.environment}/${w.run.contractName}/v${w.run.contractMajor}`;
  const attributes = {
    contractVersion: w.contract.version,
    contractHash: w.contract.hash,
    codeVersion: w.run.codeVersion,
  };
  const out: LineageEdge[] = w.rawBatches.map((b) => ({
    runId: w.run.id,
    fromKind: 'raw_batch',
    fromId: b.id,
    toKind: 'run',
    toId: w.run.id,
    attributes: { sha256: b.sha256, rows: w.rowCounts.get(b.id) ?? 0 },
    createdAt: now,
  }));
  out.push({
    runId: w.run.id,
    fromKind: 'contract_version',
    fromId: `${w.contract.name}@${w.contract.version}`,
    toKind: 'run',
    toId: w.run.id,
    attributes: { hash: w.contract.hash },
    createdAt: now,
  });
  out.push({
    runId: w.run.id,
    fromKind: 'run',
    fromId: w.run.id,
    toKind: 'feature_view',
    toId: view,
    attributes: { ...attributes, rowsWritten: w.rows.count, rowsRejected: w.rejects.count },
    createdAt: now,
  });
  return out;
}
