/**
 * What a rollback sets in motion. When a run is rolled back, the later runs of the
 * same feature view computed their window features from its rows; per the
 * contract's `policy.onRollback` (default `reprocess`) they are reprocessed, in
 * commit order. A run started by a reaction never starts another reaction for
 * itself: reaction runs are marked by their creator and ignored here.
 *
 * RunService.rollback awaits this step (it is no event listener), so every caller,
 * GraphQL or a one-shot CLI process, has the reprocess runs queued before it answers
 * and a CLI can wait for them before it closes the database.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store';
import type { RunExecutor } from '../pipeline/executor';
import type { RunDispatcher } from './dispatcher';
import type { Run } from '../domain/run';
import { historyNeeds } from '../pipeline/transform';

export const REACTION_ACTOR = 'system:reaction';

export interface ReactionDeps {
  store: Store;
  executor: RunExecutor;
  dispatcher: RunDispatcher;
  logger: Logger;
}

/** Queues the reprocessing of the runs that read a rolled-back run's rows; answers the queued runs. */
export function rollbackReaction(deps: ReactionDeps): (rolled: Run) => Promise<Run[]> {
  return async (rolled) => {
    if (rolled.status !== 'rolled_back') return [];
    return reprocessDependents(deps, rolled, await rollbackDependents(deps.store, rolled));
  };
}

/**
 * The later runs a rollback of `run` reprocesses: those of its lane that read its rows,
 * when the contract has window features and its policy.onRollback is not `none`. Asked
 * before a rollback too (Run.rollbackPreview), so a confirmation names them.
 */
export async function rollbackDependents(store: Store, run: Run): Promise<Run[]> {
  if (run.createdBy.startsWith(REACTION_ACTOR) || (await startedByReaction(store, run))) return [];
  const contract = await store.contracts.findVersion(run.contractName, run.contractVersion);
  if (!contract || contract.contract.policy?.onRollback === 'none') return [];
  // Only window features carry state from one run into the next.
  if (historyNeeds(contract.contract).columns.length === 0 || run.committedAt === null) return [];
  // A run of the lane that started once the rolled-back run had committed read its rows, even
  // when both commits fall in the same millisecond (so `committedAt >` alone would miss it).
  const committed = run.committedAt;
  return (
    await store.runs.succeededAfter(run.environment, run.contractName, run.contractMajor, committed - 1)
  ).filter((r) => r.id !== run.id && (r.committedAt! > committed || (r.startedAt ?? 0) >= committed));
}

/** A retry (of a retry …) of a reaction run was started by that reaction too, though its creator is the retry. */
async function startedByReaction(store: Store, run: Run): Promise<boolean> {
  let origin: Run | null = run;
  while (origin && origin.trigger === 'retry' && origin.parentRunId)
    origin = await store.runs.get(origin.parentRunId);
  return origin !== null && origin.createdBy.startsWith(REACTION_ACTOR);
}

async function reprocessDependents(deps: ReactionDeps, rolled: Run, later: Run[]): Promise<Run[]> {
  const queued: Run[] = [];
  for (const dependent of later) {
    const version = await deps.store.contracts.findVersion(dependent.contractName, dependent.contractVersion);
    const rawBatches = await deps.store.rawBatches.forRun(dependent.id);
    const actor = `${REACTION_ACTOR} (rollback of ${rolled.id})`;
    const run = await deps.executor.enqueue({
      contract: version!,
      environment: dependent.environment,
      trigger: 'reprocess',
      rawBatches,
      actor,
      parentRunId: dependent.id,
    });
    queued.push(run);
    // A reprocess changes what is served (the dependent is superseded): audited like one asked for by hand.
    await deps.store.audit.append({
      at: run.queuedAt,
      actor,
      action: 'run.reprocess',
      targetKind: 'run',
      targetId: dependent.id,
      environment: dependent.environment,
      before: { status: dependent.status },
      after: { run: run.id, status: run.status },
      details: { contract: dependent.contractName, rolledBack: rolled.id },
    });
    deps.logger.info(
      { runId: run.id, dependsOn: rolled.id, reprocesses: dependent.id },
      'dependent run reprocess queued',
    );
  }
  if (later.length > 0) deps.dispatcher.kick(rolled.contractName, rolled.environment);
  return queued;
}
