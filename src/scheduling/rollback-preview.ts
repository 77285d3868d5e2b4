/**
 * What a rollback of a run would change, asked before it is done (the console's
 * confirmation): whether it is allowed and why not, how many feature rows stop being
 * visible, and which later runs are reprocessed (the same selection the rollback's
 * reaction makes). Reads only; nothing is queued or changed.
 */
import { ConflictError } from '../errors';
import type { Store } from '../store/store';
import type { Run } from '../domain/run';
import { cannotRollBack, refuseIfReplacement } from '../pipeline/run-refusals';
import { rollbackDependents } from './reactions';

export interface RollbackPreview {
  allowed: boolean;
  /** Why it would be refused, in the words the rollback itself would use; null when allowed. */
  refusal: string | null;
  /** Feature rows the run wrote, hidden from the rollback on. */
  rowsHidden: number;
  /** Later runs of the same feature view reprocessed because they read its rows. */
  reprocessed: Run[];
}

export async function rollbackPreview(store: Store, run: Run): Promise<RollbackPreview> {
  const refusal = await refusalOf(store, run);
  if (refusal !== null) return { allowed: false, refusal, rowsHidden: 0, reprocessed: [] };
  return {
    allowed: true,
    refusal: null,
    rowsHidden: run.counts.written,
    reprocessed: await rollbackDependents(store, run),
  };
}

async function refusalOf(store: Store, run: Run): Promise<string | null> {
  if (run.status !== 'succeeded') return (await cannotRollBack(store, run)).message;
  try {
    await refuseIfReplacement(store, run);
    return null;
  } catch (err) {
    if (err instanceof ConflictError) return err.message;
    throw err;
  }
}
