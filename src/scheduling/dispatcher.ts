/**
 * The run queue's dispatcher. Runs wait in the database (status queued); per
 * (contract, environment) one lane executes them one at a time in queued order,
 * so a restart loses nothing and two runs of one contract never overlap. Failed
 * runs with a transient error are retried with backoff, and runs left `running` by a
 * dead process are found at start-up and at each sweep (recovery.ts); the run a queued
 * run needs is rebuilt from the store (run-request.ts).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Store } from '../store/store';
import type { RunExecutor } from '../pipeline/executor';
import type { Run } from '../domain/run';
import type { RunEventSink } from '../pipeline/run-events';
import type { ProgressFn } from '../pipeline/read-stage';
import { DEFAULT_RETRY, type RetryPolicy } from './retry';
import { RunRecovery, interrupted } from './recovery';
import { runRequestFor } from './run-request';
import { asStorageFull, asUnavailable } from '../errors';

const TERMINAL = new Set(['succeeded', 'failed', 'rolled_back', 'superseded']);

export interface DispatcherDeps {
  store: Store;
  executor: RunExecutor;
  clock: Clock;
  logger: Logger;
  events: RunEventSink;
  retry?: RetryPolicy;
  /** How often to look for orphaned runs and due retries (ms); 0 disables the sweep. */
  sweepMs?: number;
  /** Deletes run events older than the retention (run by each sweep). */
  pruneEvents?: () => Promise<unknown>;
  /**
   * false for an `api` instance: runs are only queued in the database, a `worker`
   * instance claims and executes them, and submitters wait until the database shows
   * their run finished. Recovery of orphans is left to the workers too.
   */
  executes?: boolean;
  /**
   * How often to look for runs queued by other instances (ms); 0: only at each sweep.
   * A `worker` instance sets it, so a run an `api` instance queued starts within it.
   */
  pollQueueMs?: number;
}

export class RunDispatcher {
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  private readonly waiters = new Map<
    string,
    Array<{ resolve: (run: Run) => void; reject: (err: unknown) => void }>
  >();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Progress callbacks of submitters, used when this process executes their run. */
  private readonly progress = new Map<string, ProgressFn>();
  /** This process's runs whose failure could not be written (disk full): failed by their lane once it can. */
  private readonly abandoned = new Map<string, Run>();
  /** The lane of each waited-for run. */
  private readonly laneOf = new Map<string, string>();
  private sweeper: NodeJS.Timeout | null = null;
  private poller: NodeJS.Timeout | null = null;
  private stopped = false;
  private handedOff: ((contract: string, environment: string) => void) | null = null;

  private readonly recovery: RunRecovery;

  constructor(private readonly deps: DispatcherDeps) {
    this.recovery = new RunRecovery({ ...deps, retry: deps.retry ?? DEFAULT_RETRY });
  }

  private get executes(): boolean {
    return this.deps.executes ?? true;
  }

  /** Recovers orphaned runs, then starts every lane with queued runs (an `api` instance: neither). */
  async start(): Promise<void> {
    if (!this.executes) return;
    await this.sweep();
    const every = this.deps.sweepMs ?? 30_000;
    let sweeping = false;
    // One sweep at a time: with the database unreachable, overlapping sweeps would pile up and exhaust the pool.
    const tick = () => {
      if (sweeping) return;
      sweeping = true;
      void this.sweep()
        .catch((err) => this.logFailure(err, 'sweep failed'))
        .finally(() => (sweeping = false));
    };
    if (every > 0) this.sweeper = setInterval(tick, every);
    const poll = this.deps.pollQueueMs ?? 0;
    let polling = false;
    if (poll > 0)
      this.poller = setInterval(() => {
        if (polling) return;
        polling = true;
        void this.kickQueued()
          .catch((err) => this.logFailure(err, 'queue poll failed'))
          .finally(() => (polling = false));
      }, poll);
  }

  private async kickQueued(): Promise<void> {
    for (const k of await this.deps.store.runs.queuedKeys()) this.lane(k.contract, k.environment);
  }

  /** Waits for the lanes in flight; queued runs stay queued for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.poller) clearInterval(this.poller);
    for (const t of this.timers.values()) clearTimeout(t);
    await Promise.allSettled([...this.lanes.values()]);
  }

  /** Resolves with the run once it reaches an end state (executed by this process or seen finished). */
  submit(run: Run, progress?: ProgressFn): Promise<Run> {
    if (progress) this.progress.set(run.id, progress);
    this.laneOf.set(run.id, `${run.contractName}\u0000${run.environment}`);
    const done = new Promise<Run>((resolve, reject) => {
      const list = this.waiters.get(run.id) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(run.id, list);
    });
    this.kick(run.contractName, run.environment);
    return done;
  }

  /**
   * Makes sure the lane of (contract, environment) is working through its queue, and
   * tells the run thread (handOff) that it has work.
   */
  kick(contract: string, environment: string): void {
    this.handedOff?.(contract, environment);
    this.lane(contract, environment);
  }

  /**
   * Where a non-executing dispatcher sends word of queued runs: `serve --role all`'s
   * run thread, which would otherwise find them at its next poll of the queue.
   */
  handOff(to: (contract: string, environment: string) => void): void {
    this.handedOff = to;
  }

  /** A run that another thread of this process finished: its waiters here are answered now. */
  finishedElsewhere(run: Run): void {
    if (this.waiters.has(run.id)) this.settle(run);
  }

  private lane(contract: string, environment: string): void {
    if (this.stopped) return;
    const key = `${contract}\u0000${environment}`;
    if (this.lanes.has(key)) {
      this.dirty.add(key);
      return;
    }
    const lane = this.drain(contract, environment)
      .catch((err) => {
        // e.g. the database was busy or unreachable: try the lane again shortly, so waiters are not stranded.
        this.logFailure(err, 'run lane failed; retrying shortly', { contract, environment });
        this.scheduleRecheck(contract, environment);
      })
      .finally(() => {
        this.lanes.delete(key);
        if (this.dirty.delete(key)) this.lane(contract, environment);
      });
    this.lanes.set(key, lane);
  }

  private async drain(contract: string, environment: string): Promise<void> {
    if (!this.executes) return this.settleFinishedElsewhere(contract, environment);
    for (;;) {
      if (this.stopped) return;
      await this.recoverAbandoned(contract, environment);
      const run = await this.deps.store.runs.nextQueued(contract, environment, this.deps.clock.now());
      if (!run) {
        await this.settleFinishedElsewhere(contract, environment);
        return this.scheduleWakeUp(contract, environment);
      }
      const done = await this.execute(run);
      if (done.status === 'queued') return this.scheduleRecheck(contract, environment); // another instance holds the lane
      if (done.status === 'failed') await this.recovery.retryIfDue(done);
      this.settle(done);
    }
  }

  /**
   * Recovers runs whose process died mid-run (recovery.ts), prunes old run events and
   * starts every lane with queued runs.
   */
  async sweep(): Promise<void> {
    if (!this.executes) return;
    await this.recovery.sweepOrphans();
    await this.deps.pruneEvents?.();
    await this.kickQueued();
  }

  /** An unreachable database is expected now and then: a warning without a stack; anything else an error. */
  private logFailure(err: unknown, msg: string, fields: Record<string, unknown> = {}): void {
    const unavailable = asUnavailable(err);
    if (unavailable) this.deps.logger.warn({ ...fields, error: unavailable.message }, msg);
    else this.deps.logger.error({ ...fields, err }, msg);
  }

  private async scheduleWakeUp(contract: string, environment: string): Promise<void> {
    const at = await this.deps.store.runs.nextWakeUp(contract, environment);
    if (at !== null) this.wakeAt(contract, environment, Math.max(0, at - this.deps.clock.now()));
  }

  private scheduleRecheck(contract: string, environment: string): void {
    this.wakeAt(contract, environment, 1_000);
  }

  private wakeAt(contract: string, environment: string, delay: number): void {
    const key = `${contract}\u0000${environment}`;
    clearTimeout(this.timers.get(key));
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.lane(contract, environment);
    }, delay);
    t.unref();
    this.timers.set(key, t);
  }

  /** Waiters for runs of this lane that another process executed. */
  private async settleFinishedElsewhere(contract: string, environment: string): Promise<void> {
    if (this.waiters.size === 0) return;
    const runs = await this.deps.store.runs.getMany([...this.waiters.keys()]);
    let pending = false;
    for (const r of runs) {
      if (r.contractName !== contract || r.environment !== environment) continue;
      if (TERMINAL.has(r.status)) this.settle(r);
      else pending = true;
    }
    if (pending) this.scheduleRecheck(contract, environment);
  }

  /**
   * A run whose failure could not even be recorded because the disk is full stays
   * `running` in the store until the sweep fails it once there is space again; its
   * waiters (a mutation) are told now, rather than waiting for that, with the error.
   */
  private async execute(run: Run): Promise<Run> {
    try {
      return await this.deps.executor.execute(run, await runRequestFor(this.deps.store, run));
    } catch (err) {
      const full = asStorageFull(err);
      if (full) {
        this.abandoned.set(run.id, run);
        this.abandon(run.id, full);
      }
      throw err;
    }
  }

  /**
   * Fails this lane's abandoned runs as interrupted (and queues their retries) before the
   * lane goes on: the lane claims one run at a time, so a run left `running` would hold
   * it. While the disk is still full this throws, and the runs waiting in the lane are
   * answered with that error (they stay queued and run once there is space).
   */
  private async recoverAbandoned(contract: string, environment: string): Promise<void> {
    for (const [id, run] of this.abandoned) {
      if (run.contractName !== contract || run.environment !== environment) continue;
      const now = this.deps.clock.now();
      const error = interrupted(
        'its failure could not be recorded (disk full); recovered by its own process',
      );
      try {
        if (await this.deps.store.runs.failAbandoned(id, this.deps.executor.instanceId, now, error))
          await this.recovery.recovered(run, now, error);
        this.abandoned.delete(id);
      } catch (err) {
        const full = asStorageFull(err);
        if (full)
          for (const waiting of this.waiters.keys()) this.abandonIfLane(waiting, contract, environment, full);
        throw err;
      }
    }
  }

  private settle(run: Run): void {
    if (!TERMINAL.has(run.status)) return;
    for (const w of this.waiters.get(run.id) ?? []) w.resolve(run);
    this.waiters.delete(run.id);
    this.laneOf.delete(run.id);
    this.progress.delete(run.id);
  }

  private abandonIfLane(runId: string, contract: string, environment: string, err: unknown): void {
    const key = this.laneOf.get(runId);
    if (key === `${contract}\u0000${environment}`) this.abandon(runId, err);
  }

  private abandon(runId: string, err: unknown): void {
    for (const w of this.waiters.get(runId) ?? []) w.reject(err);
    this.waiters.delete(runId);
    this.laneOf.delete(runId);
    this.progress.delete(runId);
  }
}
