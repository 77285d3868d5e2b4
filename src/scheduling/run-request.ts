/**
 * What the executor needs to run a queued run, rebuilt from the store alone: a run
 * queued before a restart, or by another instance, carries nothing else.
 */
import type { Store } from '../store/store';
import type { RunRequest } from '../pipeline/executor';
import type { Run } from '../domain/run';

export async function runRequestFor(store: Store, run: Run): Promise<RunRequest> {
  const [contract, rawBatches, target] = await Promise.all([
    store.contracts.findVersion(run.contractName, run.contractVersion),
    store.rawBatches.forRun(run.id),
    replacementTarget(store, run),
  ]);
  // A reprocess or backfill of a succeeded run in the same view replaces it when it commits.
  const replaces =
    target &&
    target.status === 'succeeded' &&
    target.contractMajor === run.contractMajor &&
    target.environment === run.environment;
  return {
    contract: contract!,
    environment: run.environment,
    trigger: run.trigger,
    rawBatches,
    actor: run.createdBy,
    parentRunId: run.parentRunId,
    supersedes: replaces ? target : null,
    attempt: run.attempt,
  };
}

/**
 * The run a reprocess or backfill replaces: its parent. A retry (of a retry …) of
 * one replaces what the original would have: its parent is the failed attempt, so
 * the chain is walked up to the first run that is not a retry.
 */
async function replacementTarget(store: Store, run: Run): Promise<Run | null> {
  let origin: Run | null = run;
  while (origin && origin.trigger === 'retry' && origin.parentRunId)
    origin = await store.runs.get(origin.parentRunId);
  if (!origin || (origin.trigger !== 'reprocess' && origin.trigger !== 'backfill') || !origin.parentRunId)
    return null;
  return store.runs.get(origin.parentRunId);
}
