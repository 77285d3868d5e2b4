/**
 * What becomes of runs that failed or were left behind: a run that failed for a reason
 * a later attempt may not repeat is queued again after its backoff (a full disk on a
 * slower one), and a run left `running` by a process that died is failed as
 * interrupted and retried, while a run whose process lives is never taken for one.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Store } from '../store/store';
import type { RunExecutor } from '../pipeline/executor';
import type { Run } from '../domain/run';
import type { RunEventSink } from '../pipeline/run-events';
import type { RunningClaim } from '../store/run.repository';
import { claimHolder } from '../lib/incarnation';
import { backoffFor, backoffMs, type RetryPolicy } from './retry';

export const interrupted = (how: string) =>
  `interrupted: the process running it stopped before it finished (${how})`;

/** Failures a later attempt may not repeat; `storage` (a full disk) on its own slower backoff. */
const RETRIED = new Set(['transient', 'interrupted', 'storage']);

export interface RecoveryDeps {
  store: Store;
  executor: RunExecutor;
  clock: Clock;
  logger: Logger;
  events: RunEventSink;
  retry: RetryPolicy;
}

export class RunRecovery {
  /** Runs whose lease lapsed while their live holder works on: noted once each. */
  private readonly lapsedAlive = new Set<string>();

  constructor(private readonly deps: RecoveryDeps) {}

  /** Queues the next attempt of a run that failed for a reason a later attempt may not repeat, after its backoff. */
  async retryIfDue(failed: Run): Promise<void> {
    if (!RETRIED.has(failed.errorKind ?? '')) return;
    // One retry per failed attempt: when a run's lease lapsed while it was only slow, the
    // sweep has failed and retried it already by the time its own process sees it fail.
    if ((await this.deps.store.runs.list({ parentRunId: failed.id, trigger: 'retry' }, 1)).runs.length > 0)
      return;
    const next = failed.attempt + 1;
    const policy = backoffFor(this.deps.retry, failed.errorKind);
    const log = this.deps.logger.child({
      runId: failed.id,
      contract: failed.contractName,
      environment: failed.environment,
    });
    if (next > policy.maxAttempts) {
      log.error(
        { attempts: failed.attempt, error: failed.error },
        'run failed; giving up after the maximum number of attempts',
      );
      return;
    }
    const delay = backoffMs(policy, next);
    const rawBatches = await this.deps.store.rawBatches.forRun(failed.id);
    const contract = await this.deps.store.contracts.findVersion(failed.contractName, failed.contractVersion);
    const retry = await this.deps.executor.enqueue({
      contract: contract!,
      environment: failed.environment,
      trigger: 'retry',
      rawBatches,
      actor: 'system:retry',
      parentRunId: failed.id,
      attempt: next,
      notBefore: this.deps.clock.now() + delay,
    });
    log.warn(
      {
        retryRunId: retry.id,
        attempt: next,
        delayMs: delay,
        errorKind: failed.errorKind,
        error: failed.error,
      },
      'run failed; retry scheduled',
    );
  }

  /**
   * Fails runs whose process died mid-run and queues their retries. A run held by a
   * process of this host (same owner, incarnation.ts) is judged by that process: gone
   * (e.g. the one a restart replaced, or a killed `tidemark run`), it is recovered at
   * once; alive, it is left running whatever its lease says, since a lease also lapses
   * when its heartbeat is held up (on SQLite by the write lock of a long commit, of its
   * own process or another), and the process ends its run itself. Runs of other hosts,
   * of unverifiable holders, and this process's own runs that its executor no longer
   * executes are recovered once their lease lapsed.
   */
  async sweepOrphans(): Promise<void> {
    const now = this.deps.clock.now();
    const seen = new Set<string>();
    for (const claim of await this.deps.store.runs.runningClaims()) {
      const { run, claimedBy } = claim;
      // Ours and still executing (e.g. its lease lapsed while the database was away): it ends itself.
      if (this.deps.executor.isExecuting(run.id)) continue;
      const holder = claimHolder(claimedBy, claim.incarnation, this.deps.executor.instanceId);
      if (holder === 'gone') {
        const error = interrupted(`its process ${claimedBy} is gone; recovered at once`);
        if (await this.deps.store.runs.failAbandoned(run.id, claimedBy!, now, error))
          await this.recovered(run, now, error);
        continue;
      }
      if (claim.leaseUntil !== null && claim.leaseUntil >= now) continue;
      if (holder === 'alive') {
        seen.add(run.id);
        this.noteLapsedButAlive(claim, now);
        continue;
      }
      // Only while its lease is still lapsed: a heartbeat since the read above means its process lives.
      const error = interrupted('recovered by the dispatcher');
      if (await this.deps.store.runs.failOrphan(run.id, now, error)) await this.recovered(run, now, error);
    }
    for (const id of this.lapsedAlive) if (!seen.has(id)) this.lapsedAlive.delete(id);
  }

  /** Says once per run that its lease lapsed while its process lives (an operator may want to know why). */
  private noteLapsedButAlive(claim: RunningClaim, now: number): void {
    if (this.lapsedAlive.has(claim.run.id)) return;
    this.lapsedAlive.add(claim.run.id);
    this.deps.logger.warn(
      {
        runId: claim.run.id,
        contract: claim.run.contractName,
        environment: claim.run.environment,
        claimedBy: claim.claimedBy,
        lapsedMs: claim.leaseUntil === null ? null : now - claim.leaseUntil,
      },
      'run lease lapsed but its process is alive on this host; left running',
    );
  }

  /** A run recovered as interrupted: announced, and retried when its attempts allow. */
  async recovered(orphan: Run, now: number, error: string): Promise<void> {
    const failed: Run = { ...orphan, status: 'failed', finishedAt: now, error, errorKind: 'interrupted' };
    this.deps.logger.warn(
      { runId: orphan.id, contract: orphan.contractName, environment: orphan.environment, error },
      'orphaned run recovered',
    );
    this.deps.events.publish(failed);
    await this.retryIfDue(failed);
  }
}
