/**
 * What callers (CLI, GraphQL, scheduler) ask of runs: trigger over new files,
 * ingest pushed records, roll back, reprocess. Each is audited. The executor does
 * the work; this decides what to run and records who asked.
 */
import semver from 'semver';
import type { Environment } from '../config';
import { ConflictError, InputError, NotFoundError } from '../errors';
import type { Clock } from '../clock';
import type { Store } from '../store/store';
import type { ContractRegistry } from '../contracts/registry';
import type { RunEventSink } from '../events/run-events';
import type { Acquirer } from './acquire';
import type { RunExecutor } from './executor';
import type { ProgressFn } from './read-stage';
import type { Run, RunTrigger } from './run.types';

export interface RunServiceDeps {
  store: Store;
  registry: ContractRegistry;
  acquirer: Acquirer;
  executor: RunExecutor;
  clock: Clock;
  events: RunEventSink;
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
  constructor(private readonly deps: RunServiceDeps) {}

  /** Runs the contract's active version over the new files in its landing location. */
  async trigger(opts: TriggerOptions): Promise<Run> {
    const contract = await this.deps.registry.resolve(opts.contract, undefined, opts.environment);
    const acquired = await this.deps.acquirer.files(contract, { file: opts.file, force: opts.force });
    if (acquired.batches.length === 0) {
      const why = acquired.skipped.length
        ? `${acquired.skipped.length} file(s) already ingested (same sha256); use force to run them again`
        : `no file matches '${contract.contract.source.path ?? opts.file}' in the landing directory`;
      throw new InputError(`nothing new to run for ${contract.name}: ${why}`);
    }
    const trigger = opts.trigger ?? 'manual';
    await this.audit(opts.actor, 'run.trigger', contract.name, opts.environment, { trigger, files: acquired.batches.map((b) => b.sourceUri) });
    return this.deps.executor.run({
      contract,
      environment: opts.environment,
      trigger,
      rawBatches: acquired.batches,
      actor: opts.actor,
      progress: opts.progress,
    });
  }

  /** Pushed records through the same pipeline; answers with the finished run. */
  async ingest(opts: { contract: string; environment: Environment; records: unknown[]; actor: string; force?: boolean }): Promise<Run> {
    const contract = await this.deps.registry.resolve(opts.contract, undefined, opts.environment);
    if (contract.contract.source.type !== 'push') {
      throw new InputError(`contract ${contract.name} reads from '${contract.contract.source.type}'; only 'push' contracts take ingested records`);
    }
    const acquired = await this.deps.acquirer.records(contract, opts.records, { force: opts.force });
    if (acquired.batches.length === 0) {
      throw new ConflictError(`these ${opts.records.length} records were already ingested (raw batch ${acquired.skipped[0]!.rawBatchId}); use force to ingest them again`);
    }
    await this.audit(opts.actor, 'run.ingest', contract.name, opts.environment, { records: opts.records.length, rawBatch: acquired.batches[0]!.id });
    return this.deps.executor.run({ contract, environment: opts.environment, trigger: 'push', rawBatches: acquired.batches, actor: opts.actor });
  }

  /** Hides a succeeded run's rows from now on; earlier values become visible again. Deletes nothing. */
  async rollback(runId: string, actor: string): Promise<Run> {
    const run = await this.get(runId);
    if (run.status !== 'succeeded') throw new ConflictError(`run ${runId} is ${run.status}; only a succeeded run can be rolled back`);
    const now = this.deps.clock.now();
    const rolled = await this.deps.store.transaction(async (tx) => {
      const ok = await tx.runs.update(runId, { status: 'rolled_back', invalidatedAt: now }, ['succeeded']);
      if (!ok) throw new ConflictError(`run ${runId} changed status meanwhile; nothing rolled back`);
      await tx.audit.append({
        at: now, actor, action: 'run.rollback', targetKind: 'run', targetId: runId, environment: run.environment,
        before: { status: run.status }, after: { status: 'rolled_back', invalidatedAt: now }, details: { contract: run.contractName },
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
  async reprocess(runId: string, opts: { contractVersion?: string; actor: string; progress?: ProgressFn }): Promise<Run> {
    const parent = await this.get(runId);
    const version = opts.contractVersion ?? parent.contractVersion;
    if (!semver.valid(version)) throw new InputError(`contractVersion must be a semantic version; got '${version}'`);
    const contract = await this.deps.registry.resolve(parent.contractName, version, parent.environment);
    const rawBatches = await this.deps.store.rawBatches.forRun(runId);
    if (rawBatches.length === 0) throw new ConflictError(`run ${runId} read no raw batches; there is nothing to reprocess`);
    const supersedes = parent.status === 'succeeded' && contract.major === parent.contractMajor ? parent : null;
    if (parent.status !== 'succeeded' && parent.status !== 'failed') {
      throw new ConflictError(`run ${runId} is ${parent.status}; only succeeded or failed runs can be reprocessed`);
    }
    await this.audit(opts.actor, 'run.reprocess', parent.contractName, parent.environment, { parent: runId, contractVersion: version });
    return this.deps.executor.run({
      contract,
      environment: parent.environment,
      trigger: 'reprocess',
      rawBatches,
      actor: opts.actor,
      parentRunId: runId,
      supersedes,
      progress: opts.progress,
    });
  }

  async get(runId: string): Promise<Run> {
    const run = await this.deps.store.runs.get(runId);
    if (!run) throw new NotFoundError(`run '${runId}' does not exist`);
    return run;
  }

  private async audit(actor: string, action: string, contract: string, environment: Environment, details: unknown): Promise<void> {
    await this.deps.store.audit.append({
      at: this.deps.clock.now(), actor, action, targetKind: 'contract', targetId: contract, environment,
      before: null, after: null, details,
    });
  }
}
