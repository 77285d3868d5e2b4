/**
 * The run executor: one contract version over kept raw batches in one environment.
 *
 *   running → read/cleanse/filter → validate → history + transform → digest
 *           → ONE transaction: feature rows, rejects, lineage, raw links, run = succeeded
 *             (and, for a reprocess, the parent = superseded at the same instant)
 *
 * Any error before or inside the transaction leaves no feature row or edge behind: the
 * run is marked failed with its error and what it measured before failing (counts,
 * report, rejects), written in a transaction of their own (fail-stage.ts).
 */
import type { Logger } from 'pino';
import { defaultInstanceId, selfIncarnation } from '../lib/incarnation';
import type { Clock, IdGenerator } from '../clock';
import type { Environment } from '../domain/environment';
import type { Store, Repositories } from '../store/store';
import type { RegisteredContract } from '../domain/registered-contract';
import type { RunEventSink } from './run-events';
import { validateBatchInSlices } from '../quality';
import type { RawStore } from './raw-store';
import { CompiledContractCache, type CompiledContract } from './compiled-contract';
import { readStage, rate, rejectsWithRaw, type ProgressFn } from './read-stage';
import { loadHistory } from './history-stage';
import { sealRows, type SealedRows } from './sealed-rows';
import { writeRun, type PendingRejects, type WriteHook } from './write-stage';
import type { ViewStage } from './view-stage';
import type { Run, RunTrigger } from '../domain/run';
import { countsOf, queuedRun, type Measured, type Tracked } from './run-record';
import { type RawBatch } from '../domain/raw-batch';
import { RunValidationError, describeFailure } from './run-failure';
import { recordFailure } from './fail-stage';
import { fileNames } from './file-name';
import { SAMPLE_LIMIT } from '../quality/tally';
import { Slicer } from '../lib/slices';
import { loadBaselines } from './baseline-stage';
import { StageTimer } from './stage-timer';
import type { Profile } from '../quality/profile/profile';
import { profileStage } from './profile-stage';
import { startHeartbeat } from './run-heartbeat';

export interface ExecutorDeps {
  store: Store;
  rawStore: RawStore;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  codeVersion: string;
  events: RunEventSink;
  /** Fault injection for tests: called between the writes of the commit transaction. */
  writeHook?: WriteHook;
  /** Who claims runs (`<host>[/pidns<n>]:<pid>` by default, see scheduling/incarnation.ts): recorded on the run while it executes. */
  instanceId?: string;
  /** How long a claim holds without a heartbeat; an instance that dies loses its runs after this. */
  leaseMs?: number;
  /** False skips profiling (benchmarks measure what profiles cost); on by default. */
  profile?: boolean;
}

export const DEFAULT_LEASE_MS = 60_000;

export interface RunRequest {
  contract: RegisteredContract;
  environment: Environment;
  trigger: RunTrigger;
  rawBatches: RawBatch[];
  actor: string;
  parentRunId?: string | null;
  /** For a reprocess: the run whose rows this one replaces when it commits. */
  supersedes?: Run | null;
  attempt?: number;
  /** Do not start before this time (retry backoff). */
  notBefore?: number | null;
  progress?: ProgressFn;
}

interface Outcome extends Measured {
  /** The stored columns' profiles; the features' are taken as the commit seals their rows. */
  profiles: () => Profile[];
  rows: SealedRows;
  view: ViewStage;
}

export class RunExecutor {
  private readonly compiled = new CompiledContractCache();
  /** Runs this process has claimed and not yet finished: never orphans, whatever their lease says. */
  private readonly executing = new Set<string>();

  constructor(private readonly deps: ExecutorDeps) {}

  /**
   * Creates the run record (queued) with the raw batches it will read, without
   * executing it: a queued run survives a restart with everything it needs.
   */
  async enqueue(req: RunRequest): Promise<Run> {
    const run = await this.deps.store.transaction((tx) => this.insertQueued(tx, req));
    this.deps.events.publish(run);
    return run;
  }

  /**
   * Enqueue inside the caller's transaction (the caller publishes the event after
   * commit): intake uses it to decide what is new and queue it atomically.
   */
  async insertQueued(tx: Repositories, req: RunRequest): Promise<Run> {
    const run = queuedRun(req, this.deps.ids, this.deps.clock, this.deps.codeVersion);
    await tx.runs.insert(run);
    await tx.rawBatches.linkToRun(
      run.id,
      req.rawBatches.map((b) => b.id),
    );
    return run;
  }

  /** Announces a run queued through insertQueued once its transaction committed. */
  announce(run: Run): void {
    this.deps.events.publish(run);
  }

  /**
   * Claims a queued run and executes it to its end state. Never throws for data
   * problems (the run says failed). When the claim is refused (another run of the
   * same contract and environment is running, or the run was claimed elsewhere) the
   * run comes back still queued.
   */
  async execute(run: Run, req: RunRequest): Promise<Run> {
    const log = this.deps.logger.child({
      runId: run.id,
      contract: run.contractName,
      environment: run.environment,
      trigger: run.trigger,
    });
    const clock = () => this.deps.clock.now();
    const started = await this.deps.store.runs.claimAt(
      run,
      this.instanceId,
      clock,
      this.leaseMs,
      selfIncarnation(),
    );
    if (started === null) return run;
    this.executing.add(run.id);
    Object.assign(run, { status: 'running', startedAt: started });
    this.deps.events.publish(run);
    log.info(
      { rawBatches: req.rawBatches.map((b) => b.id), contractVersion: run.contractVersion },
      'run started',
    );
    const heartbeat = startHeartbeat(
      { store: this.deps.store, clock: this.deps.clock, instanceId: this.instanceId, leaseMs: this.leaseMs },
      run.id,
      log,
    );
    const measured: Tracked = { now: null, stages: new StageTimer() };
    try {
      const compiled = this.compiled.get(req.contract.hash, req.contract.contract);
      const outcome = await this.process(run, req, compiled, measured, log);
      return await this.commit(run, req, outcome, measured.stages, log);
    } catch (err) {
      // Awaited: the heartbeat and the claim hold while the failure is being written.
      return await this.fail(run, err, measured, log);
    } finally {
      heartbeat.stop();
      this.executing.delete(run.id);
    }
  }

  /** True while this process executes the run (the dispatcher's sweep leaves it alone). */
  isExecuting(runId: string): boolean {
    return this.executing.has(runId);
  }

  /** Who this process's claims name (`<owner>:<pid>` by default, see scheduling/incarnation.ts). */
  get instanceId(): string {
    return this.deps.instanceId ?? defaultInstanceId;
  }

  private get leaseMs(): number {
    return this.deps.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /** Reads, validates and transforms; what it measured lands in `measured` as soon as it is known. */
  private async process(
    run: Run,
    req: RunRequest,
    compiled: CompiledContract,
    measured: Tracked,
    log: Logger,
  ): Promise<Outcome> {
    const stages = measured.stages;
    const t0 = Date.now();
    // Every stage works in slices: the server keeps answering while the run executes.
    const slicer = new Slicer();
    const read = await stages.time(
      'read',
      () => readStage(this.deps.rawStore, req.rawBatches, compiled, req.progress, slicer),
      (r) => r.read,
    );
    log.info(
      { rows: read.read, rowsPerSec: rate(read.read, t0), rejected: read.rejects.length },
      'rows read',
    );
    const view = { environment: run.environment, contract: run.contractName, major: run.contractMajor };
    const exclude = req.supersedes ? [req.supersedes.id] : [];
    // One after the other: the history read already keeps both cores busy
    // (history-reader.ts), and the baselines are a few short statements.
    const { history, baselines } = await stages.time('history', async () => ({
      history: await loadHistory(this.deps.store, view, read.clean, compiled, exclude),
      baselines: await loadBaselines(this.deps.store, run, compiled.checks),
    }));
    const ctx = {
      now: this.deps.clock.now(),
      presentColumns: read.presentColumns,
      previous: history.previous,
      coercionRejects: read.rejects.length,
      coercionSample: read.rejects.slice(0, SAMPLE_LIMIT),
      files: fileNames(req.rawBatches),
      baselines,
      profile: this.deps.profile !== false,
    };
    const validation = await stages.time(
      'validate',
      () => validateBatchInSlices(compiled.checks, read.clean, ctx, slicer),
      () => read.clean.length,
    );
    // Validation rejects read their source records back from the kept raw batches while
    // the commit inserts the feature rows (the database's thread is the busy one then);
    // the commit awaits them before writing the rejects.
    const rejects: PendingRejects = {
      count: read.rejects.length + validation.rejected.length,
      rows: rejectsWithRaw(this.deps.rawStore, req.rawBatches, compiled, validation.rejected).then((found) =>
        read.rejects.concat(found),
      ),
    };
    rejects.rows.catch(() => undefined); // awaited in the commit; never an unhandled rejection
    measured.now = { rejects, read, report: validation.report };
    if (!validation.report.success) throw new RunValidationError(validation.report);
    // Rows are made (transform, digest, serialisation) as the commit inserts them.
    const profile = profileStage(ctx.profile, req.contract.contract.features, validation.profiles);
    const transformed = compiled.transform(validation.accepted, history.points, slicer);
    const rows = sealRows(transformed, slicer, profile.observe);
    const profiles = profile.profiles;
    return { ...measured.now, rows, profiles, view: { checks: compiled.checks.viewChecks, now: ctx.now } };
  }

  private async commit(run: Run, req: RunRequest, o: Outcome, stages: StageTimer, log: Logger): Promise<Run> {
    const counts = countsOf(o);
    const committed = await writeRun(this.deps.store, this.deps.clock, {
      run,
      counts,
      report: o.report,
      rows: o.rows,
      profiles: o.profiles,
      rejects: o.rejects,
      rawBatches: req.rawBatches,
      rowCounts: o.read.rowCounts,
      contract: req.contract,
      supersedes: req.supersedes ?? null,
      actor: req.actor,
      hook: this.deps.writeHook,
      view: o.view,
      stages,
    });
    log.info(
      {
        counts: committed.counts,
        outputDigest: committed.outputDigest,
        durationMs: committed.finishedAt! - committed.startedAt!,
      },
      'run succeeded',
    );
    this.deps.events.publish(committed);
    if (req.supersedes) {
      const parent = await this.deps.store.runs.get(req.supersedes.id);
      if (parent) this.deps.events.publish(parent);
    }
    return committed;
  }

  private async fail(run: Run, err: unknown, tracked: Tracked, log: Logger): Promise<Run> {
    const measured = tracked.now;
    const failure = describeFailure(err, measured?.report ?? null);
    if (failure.expected) log.warn({ error: failure.error, detail: failure.detail }, 'run failed');
    else log.error({ err }, 'run failed');
    const patch: Partial<Run> = {
      status: 'failed',
      finishedAt: this.deps.clock.now(),
      ...failure.patch,
      stages: tracked.stages.list(),
    };
    if (measured) patch.counts = { ...countsOf(measured), written: 0 };
    const record = { runId: run.id, patch, rejects: measured?.rejects.rows ?? null };
    // The sweep may have failed this run already (its lease lapsed): its verdict stands.
    if (!(await recordFailure(this.deps.store, record, Math.max(this.leaseMs, 30_000), log))) {
      return (await this.deps.store.runs.get(run.id)) ?? run;
    }
    const failed = { ...run, ...patch } as Run;
    this.deps.events.publish(failed);
    return failed;
  }
}

export type { Repositories };
