/**
 * What callers (CLI, GraphQL, scheduler) ask of runs: trigger over new files,
 * ingest pushed records, roll back, reprocess. Each is audited. The executor does
 * the work; this decides what to run and records who asked.
 */
import semver from 'semver';
import { checkVersion } from '../lib/identifiers';
import type { Environment } from '../domain/environment';
import { ConflictError, InputError, NotFoundError } from '../errors';
import type { Clock } from '../clock';
import type { Store } from '../store/store';
import type { RunEventSink } from './run-events';
import type { Acquirer } from './acquire';
import { ChangedLandingFileError } from './landing-file';
import type { RunExecutor, RunRequest } from './executor';
import type { RawBatch } from '../domain/raw-batch';
import type { ContractResolver, RegisteredContract } from '../domain/registered-contract';
import { KeyedMutex } from '../lib/keyed-mutex';
import { cannotRollBack, refuseIfReplacement, servingRun } from './run-refusals';
import type { ProgressFn } from './read-stage';
import type { Run, RunTrigger } from '../domain/run';

/** Executes queued runs in order (see scheduling/dispatcher.ts). */
export interface RunQueue {
  submit(run: Run, progress?: ProgressFn): Promise<Run>;
}

export interface RunServiceDeps {
  queue: RunQueue;
  store: Store;
  registry: ContractResolver;
  acquirer: Acquirer;
  executor: RunExecutor;
  clock: Clock;
  events: RunEventSink;
  /** What a rollback sets in motion (scheduling/reactions.ts): answers the runs it queued. */
  afterRollback?: (rolled: Run) => Promise<Run[]>;
}

/** A rollback and the reprocess runs it queued for the later runs that read its rows. */
export interface RollbackOutcome {
  run: Run;
  dependents: Run[];
}

export interface TriggerOptions {
  contract: string;
  environment: Environment;
  actor: string;
  file?: string;
  force?: boolean;
  trigger?: RunTrigger;
  progress?: ProgressFn;
}

export class RunService {
  /**
   * Deciding what is new and queueing it must not interleave for one contract and
   * environment (a cron firing and an arrival at once would both see a file as new).
   */
  private readonly intake = new KeyedMutex();

  constructor(private readonly deps: RunServiceDeps) {}

  /**
   * Runs the contract's active version over the files in its landing location that
   * no run in this environment has read (recognised by sha256), or all with force. Of
   * a file that grew, only what was appended is new; a file that changed after it was
   * ingested is refused (acquire.ts).
   */
  async trigger(opts: TriggerOptions): Promise<Run> {
    const run = await this.intake.run(`${opts.contract}\u0000${opts.environment}`, () =>
      this.queueFiles(opts),
    );
    return this.deps.queue.submit(run, opts.progress);
  }

  private async queueFiles(opts: TriggerOptions): Promise<Run> {
    const contract = await this.deps.registry.resolve(opts.contract, undefined, opts.environment);
    const acquired = await this.deps.acquirer.files(contract, { file: opts.file, force: opts.force });
    const trigger = opts.trigger ?? 'manual';
    const refused = acquired.refused.length > 0 ? acquired.refused : undefined;
    return this.queueUnread(
      contract,
      opts.environment,
      acquired.batches,
      opts.force,
      (fresh) => {
        if (fresh.length > 0)
          return {
            trigger,
            details: { trigger, files: fresh.map((b) => b.sourceUri), refused },
            action: 'run.trigger',
          };
        // Nothing else to run: the refusal is the answer (a conflict, not "nothing new").
        if (refused) throw new ChangedLandingFileError(contract.name, refused);
        const why = acquired.batches.length
          ? `${acquired.files} file(s) already ingested in ${opts.environment} (same sha256); to run them again use --force (GraphQL: triggerRun(force: true))`
          : `no file matches '${opts.file ?? contract.contract.source.path}' in the landing directory`;
        throw new InputError(`nothing new to run for ${contract.name}: ${why}`);
      },
      opts.actor,
    );
  }

  /**
   * Decides which batches no run in the environment has read and queues a run over
   * them, in one transaction holding the (contract, environment) intake lock: two
   * instances (or a cron firing and an arrival) can never queue the same batch twice.
   */
  private async queueUnread(
    contract: RegisteredContract,
    environment: Environment,
    batches: RawBatch[],
    force: boolean | undefined,
    decide: (fresh: RawBatch[]) => { trigger: RunTrigger; action: string; details: unknown },
    actor: string,
  ): Promise<Run> {
    const run = await this.deps.store.transaction(async (tx) => {
      await tx.lock(`intake:${contract.name}:${environment}`);
      const read = force
        ? new Set<string>()
        : await tx.rawBatches.readIn(
            batches.map((b) => b.id),
            environment,
          );
      const fresh = batches.filter((b) => !read.has(b.id));
      const { trigger, action, details } = decide(fresh);
      const queued = await this.deps.executor.insertQueued(tx, {
        contract,
        environment,
        trigger,
        rawBatches: fresh,
        actor,
      });
      await tx.audit.append({
        at: this.deps.clock.now(),
        actor,
        action,
        targetKind: 'contract',
        targetId: contract.name,
        environment,
        before: null,
        after: { runId: queued.id, status: queued.status, contractVersion: queued.contractVersion },
        details,
      });
      return queued;
    });
    this.deps.executor.announce(run);
    return run;
  }

  /** Queues the run (audited in the same transaction) and waits for its end state. */
  private async submit(actor: string, action: string, details: unknown, req: RunRequest): Promise<Run> {
    const run = await this.deps.store.transaction(async (tx) => {
      const queued = await this.deps.executor.insertQueued(tx, req);
      await tx.audit.append({
        at: this.deps.clock.now(),
        actor,
        action,
        targetKind: 'contract',
        targetId: req.contract.name,
        environment: req.environment,
        before: null,
        after: { runId: queued.id, status: queued.status, contractVersion: queued.contractVersion },
        details,
      });
      return queued;
    });
    this.deps.executor.announce(run);
    return this.deps.queue.submit(run, req.progress);
  }

  /** Pushed records through the same pipeline; answers with the finished run. */
  async ingest(opts: {
    contract: string;
    environment: Environment;
    records: unknown[];
    actor: string;
    force?: boolean;
  }): Promise<Run> {
    const run = await this.intake.run(`${opts.contract}\u0000${opts.environment}`, () =>
      this.queueRecords(opts),
    );
    return this.deps.queue.submit(run);
  }

  private async queueRecords(opts: {
    contract: string;
    environment: Environment;
    records: unknown[];
    actor: string;
    force?: boolean;
  }): Promise<Run> {
    const contract = await this.deps.registry.resolve(opts.contract, undefined, opts.environment);
    if (contract.contract.source.type !== 'push') {
      throw new InputError(
        `contract ${contract.name} reads from '${contract.contract.source.type}'; only 'push' contracts take ingested records`,
      );
    }
    const acquired = await this.deps.acquirer.records(contract, opts.records);
    return this.queueUnread(
      contract,
      opts.environment,
      acquired.batches,
      opts.force,
      (fresh) => {
        if (fresh.length === 0) {
          throw new ConflictError(
            `these ${opts.records.length} records were already ingested in ${opts.environment} (raw batch ${acquired.batches[0]!.id}); to ingest them again use ingest(force: true)`,
          );
        }
        return {
          trigger: 'push',
          action: 'run.ingest',
          details: { records: opts.records.length, rawBatch: fresh[0]!.id },
        };
      },
      opts.actor,
    );
  }

  /** Hides a succeeded run's rows from now on; earlier values become visible again. Deletes nothing. */
  async rollback(runId: string, actor: string): Promise<Run> {
    return (await this.rollbackQueueing(runId, actor)).run;
  }

  /**
   * The rollback and its follow-up work in one step: the reprocessing of later runs is
   * queued before this answers. With `wait`, it also waits for those runs to finish
   * (a one-shot CLI must not close the database under them).
   */
  async rollbackAndReprocess(runId: string, actor: string, wait: boolean): Promise<RollbackOutcome> {
    const outcome = await this.rollbackQueueing(runId, actor);
    if (!wait) return outcome;
    const dependents = await Promise.all(outcome.dependents.map((r) => this.deps.queue.submit(r)));
    return { run: outcome.run, dependents };
  }

  private async rollbackQueueing(runId: string, actor: string): Promise<RollbackOutcome> {
    const run = await this.rollbackOnly(runId, actor);
    return { run, dependents: (await this.deps.afterRollback?.(run)) ?? [] };
  }

  private async rollbackOnly(runId: string, actor: string): Promise<Run> {
    const run = await this.get(runId);
    if (run.status !== 'succeeded') throw await cannotRollBack(this.deps.store, run);
    await refuseIfReplacement(this.deps.store, run);
    const now = this.deps.clock.now();
    const rolled = await this.deps.store.transaction(async (tx) => {
      const ok = await tx.runs.update(runId, { status: 'rolled_back', invalidatedAt: now }, ['succeeded']);
      if (!ok) throw new ConflictError(`run ${runId} changed status meanwhile; nothing rolled back`);
      await tx.audit.append({
        at: now,
        actor,
        action: 'run.rollback',
        targetKind: 'run',
        targetId: runId,
        environment: run.environment,
        before: { status: run.status },
        after: { status: 'rolled_back', invalidatedAt: now },
        details: { contract: run.contractName },
      });
      return { ...run, status: 'rolled_back', invalidatedAt: now } as Run;
    });
    this.deps.events.publish(rolled);
    return rolled;
  }

  /**
   * Re-runs an earlier run's kept raw batches, under its contract version or another
   * one of the same contract. Within the same major the new run supersedes the old
   * one when it commits (one transaction: readers never see both).
   */
  async reprocess(
    runId: string,
    opts: { contractVersion?: string; actor: string; progress?: ProgressFn },
  ): Promise<Run> {
    const parent = await this.get(runId);
    if (parent.status === 'queued' || parent.status === 'running') {
      throw new ConflictError(`run ${runId} is ${parent.status}; wait until it finishes, then reprocess it`);
    }
    const version = opts.contractVersion ?? parent.contractVersion;
    checkVersion(version, 'contractVersion');
    if (!semver.valid(version))
      throw new InputError(`contractVersion must be a semantic version; got '${version}'`);
    const contract = await this.deps.registry.resolve(parent.contractName, version, parent.environment);
    const rawBatches = await this.deps.store.rawBatches.forRun(runId);
    if (rawBatches.length === 0)
      throw new ConflictError(
        `run ${runId} read no raw batches; there is nothing to reprocess (trigger or ingest a new run instead)`,
      );
    // Within the major, the new run takes the place of whatever serves these batches now:
    // the run itself when it succeeded, the live end of its replacements when it was
    // superseded; a rolled-back or failed run serves nothing, so nothing is superseded.
    const serving = await servingRun(this.deps.store, parent);
    const supersedes = serving && contract.major === serving.contractMajor ? serving : null;
    return this.submit(
      opts.actor,
      'run.reprocess',
      { parent: runId, contractVersion: version },
      {
        contract,
        environment: parent.environment,
        trigger: 'reprocess',
        rawBatches,
        actor: opts.actor,
        // A replacement's parent is the run it replaces, so the chain of replacements stays walkable.
        parentRunId: supersedes?.id ?? runId,
        supersedes,
        progress: opts.progress,
      },
    );
  }

  async get(runId: string): Promise<Run> {
    const run = await this.deps.store.runs.get(runId);
    if (!run) throw new NotFoundError(`run '${runId}' does not exist`);
    return run;
  }
}
