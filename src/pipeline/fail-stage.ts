/**
 * Recording a failed run. The feature transaction (if it began) rolled back, so no
 * feature row, lineage edge or reject of the run is stored; what the run measured
 * before failing (counts, validation report, rejects with their reasons) is still
 * worth keeping: a user reads why the run failed and which rows were bad. It is
 * written here, in its own transaction, with the run's failed status.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { asStorageFull, asUnavailable } from '../errors';
import type { Store } from '../store/store';
import type { RejectedRow } from '../domain/reject';
import type { Run } from '../domain/run';

export interface FailureRecord {
  runId: string;
  patch: Partial<Run>;
  /** The run's rejects when it got as far as knowing them (their source records may still be being read). */
  rejects: Promise<RejectedRow[]> | null;
}

/**
 * Writes the failure (guarded: only a run still `running` is failed; the sweep's
 * verdict stands otherwise). When the database is what failed, the write is retried
 * with backoff for up to `patienceMs`, so that the run says why it failed; past that,
 * the sweep fails it as interrupted once the database is back. On a full disk the
 * rejects (many rows) are given up so that the status (one row) still fits.
 */
export async function recordFailure(
  store: Store,
  f: FailureRecord,
  patienceMs: number,
  log: Logger,
): Promise<boolean> {
  let rejects = await rejectsOrNone(f.rejects, log);
  const deadline = Date.now() + patienceMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await store.transaction(async (tx) => {
        if (!(await tx.runs.update(f.runId, f.patch, ['running']))) return false;
        await tx.rejects.insertMany(f.runId, rejects);
        return true;
      });
    } catch (err) {
      if (asStorageFull(err) && rejects.length > 0) {
        log.warn({ rejects: rejects.length }, 'disk full: the failed run is recorded without its rejects');
        rejects = [];
        continue;
      }
      if (!asUnavailable(err) || Date.now() + delay > deadline) throw err;
      if (delay === 250) log.warn('run failure not recorded yet: the database is unreachable; retrying');
      await sleep(delay);
    }
  }
}

/** A reject whose source record cannot be read back must not keep the failure from being recorded. */
async function rejectsOrNone(rows: Promise<RejectedRow[]> | null, log: Logger): Promise<RejectedRow[]> {
  if (!rows) return [];
  try {
    return await rows;
  } catch (err) {
    log.warn({ err }, 'the failed run keeps no rejects: their source records could not be read back');
    return [];
  }
}
