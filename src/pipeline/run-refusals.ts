/**
 * Why a run cannot be rolled back, and which run serves a run's raw batches now. Every
 * refusal names an action that works (tests follow each one's advice).
 */
import { ConflictError } from '../errors';
import type { Store } from '../store/store';
import type { Run } from '../domain/run';

/**
 * A reprocess replaced its parent at commit; rolling it back would leave neither
 * run's rows visible, silently emptying the view. Refuse and say what to do.
 */
export async function refuseIfReplacement(store: Store, run: Run): Promise<void> {
  if (!run.parentRunId) return;
  const parent = await store.runs.get(run.parentRunId);
  if (parent?.status === 'superseded' && parent.invalidatedAt === run.committedAt) {
    throw new ConflictError(
      `run ${run.id} replaced run ${parent.id}; rolling it back would leave neither visible. ` +
        `Reprocess ${run.id} under the contract version you want instead ` +
        `(tidemark reprocess ${run.id} --contract-version <version>): the new run replaces it`,
    );
  }
}

/** The refusal to roll back a run that is not succeeded, naming what can be done instead. */
export async function cannotRollBack(store: Store, run: Run): Promise<ConflictError> {
  const is = `run ${run.id} is ${run.status}`;
  switch (run.status) {
    case 'queued':
    case 'running':
      return new ConflictError(`${is}; wait until it finishes, then roll it back`);
    case 'failed':
      return new ConflictError(
        `${is}: it wrote no feature rows, so there is nothing to roll back (reprocess ${run.id} to run its raw batches again)`,
      );
    case 'rolled_back':
      return new ConflictError(
        `${is} already; its rows are hidden (reprocess ${run.id} to run its raw batches again, e.g. under a fixed contract version)`,
      );
    default: {
      const live = await servingRun(store, run);
      if (!live) return new ConflictError(`${is}; only a succeeded run can be rolled back`);
      return new ConflictError(
        `${is}: its rows were replaced by run ${live.id}, which cannot be rolled back either ` +
          `(reprocess ${live.id} under the contract version you want; the new run replaces it)`,
      );
    }
  }
}

/**
 * The run whose rows stand for this one's raw batches now: itself when succeeded, and
 * for a superseded run the live end of its chain of replacements (each replacement is
 * a child committed at the instant its parent was invalidated). Null when none serves.
 */
export async function servingRun(store: Store, run: Run): Promise<Run | null> {
  let at: Run | null = run;
  for (let hops = 0; at && at.status === 'superseded' && hops < 1000; hops++) {
    const from: Run = at;
    const children = await store.runs.childrenOf([from.id]);
    at = children.find((c) => c.committedAt !== null && c.committedAt === from.invalidatedAt) ?? null;
  }
  return at?.status === 'succeeded' ? at : null;
}
