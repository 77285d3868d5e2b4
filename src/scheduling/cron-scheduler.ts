/**
 * Cron schedules: one node-schedule job per (environment, contract) whose active
 * version declares `schedule.cron`. `refresh()` reconciles the jobs with the
 * registry, so apply, promote and retire take effect without a restart. A firing
 * triggers a run over the files nobody has read yet; a firing that finds the
 * previous trigger of its job still running is skipped, never stacked.
 */
import schedule from 'node-schedule';
import type { Logger } from 'pino';
import type { Environment } from '../domain/environment';
import type { ContractRegistry } from '../contracts/registry';
import type { RegisteredContract } from '../domain/registered-contract';
import type { TriggerOptions } from '../pipeline/run.service';
import type { Run } from '../domain/run';
import { ConflictError, InputError } from '../errors';

/** What the scheduler and the arrival watcher need of the run service. */
export interface RunTriggerer {
  trigger(opts: TriggerOptions): Promise<Run>;
}

/** What they need of the registry. */
export type ActiveContractSource = Pick<ContractRegistry, 'activeVersions' | 'resolve'>;

export interface CronSchedulerDeps {
  runs: RunTriggerer;
  registry: ActiveContractSource;
  logger: Logger;
  /** Time zone of cron expressions whose contract names none (`schedule.timezone`). */
  timezone?: string;
}

export interface ScheduledJob {
  contract: string;
  version: string;
  environment: Environment;
  cron: string;
  timezone: string;
  /** The next firing; null when the expression never fires again. */
  nextInvocation: Date | null;
}

interface Entry extends Omit<ScheduledJob, 'nextInvocation'> {
  job: schedule.Job;
}

export class CronScheduler {
  private readonly entries = new Map<string, Entry>();
  /** Jobs whose trigger is still running, by job key: survives a job being replaced. */
  private readonly inFlight = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private running = false;

  constructor(private readonly deps: CronSchedulerDeps) {}

  /** Creates the jobs of the currently active versions; rejects when the registry cannot be read. */
  async start(): Promise<void> {
    this.running = true;
    await this.serialized(() => this.reconcile());
  }

  /**
   * Re-reads the active versions and adds, replaces or cancels jobs to match. Never
   * rejects (a failure is logged and the old jobs stay), so it can be a fire-and-forget
   * contracts-changed listener.
   */
  async refresh(): Promise<void> {
    await this.serialized(() => this.reconcile()).catch((err: unknown) =>
      this.deps.logger.error({ err }, 'cron schedules not refreshed'),
    );
  }

  /** Cancels every job. Triggers in flight finish on their own (their runs are in the queue). */
  async stop(): Promise<void> {
    this.running = false;
    await this.queue;
    for (const e of this.entries.values()) e.job.cancel();
    this.entries.clear();
  }

  jobs(): ScheduledJob[] {
    return [...this.entries.values()].map(({ job, ...e }) => ({ ...e, nextInvocation: nextOf(job) }));
  }

  /** Refreshes run one after another: two overlapping reconciles could schedule a job twice. */
  private serialized(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async reconcile(): Promise<void> {
    if (!this.running) return;
    const wanted = new Map<string, Omit<Entry, 'job'>>();
    for (const c of await triggerableContracts(this.deps.registry)) {
      const cron = c.contract.contract.schedule?.cron;
      if (!cron) continue;
      const timezone = c.contract.contract.schedule?.timezone ?? this.deps.timezone ?? 'UTC';
      wanted.set(jobKey(c.environment, c.contract.name), {
        contract: c.contract.name,
        version: c.contract.version,
        environment: c.environment,
        cron,
        timezone,
      });
    }
    for (const [key, e] of this.entries) {
      const w = wanted.get(key);
      if (w && w.cron === e.cron && w.timezone === e.timezone) {
        e.version = w.version; // same timing: the job stays, it now stands for the newer version
        continue;
      }
      e.job.cancel();
      this.entries.delete(key);
      this.deps.logger.info(
        { contract: e.contract, environment: e.environment, cron: e.cron },
        'cron schedule removed',
      );
    }
    for (const [key, w] of wanted) if (!this.entries.has(key)) this.schedule(key, w);
  }

  private schedule(key: string, w: Omit<Entry, 'job'>): void {
    const log = {
      contract: w.contract,
      version: w.version,
      environment: w.environment,
      cron: w.cron,
      timezone: w.timezone,
    };
    let job: schedule.Job | null;
    try {
      job = schedule.scheduleJob({ rule: w.cron, tz: w.timezone }, () => this.fire(key));
    } catch (err) {
      this.deps.logger.error({ ...log, err }, 'cron schedule not created');
      return;
    }
    // node-schedule answers null for an expression that never fires (or that it cannot read).
    if (!job) {
      this.deps.logger.error(log, 'cron schedule not created: the expression never fires');
      return;
    }
    this.entries.set(key, { ...w, job });
    this.deps.logger.info({ ...log, next: nextOf(job)?.toISOString() ?? null }, 'cron schedule created');
  }

  private fire(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    const log = {
      contract: e.contract,
      version: e.version,
      environment: e.environment,
      trigger: 'schedule',
      cron: e.cron,
    };
    if (this.inFlight.has(key)) {
      this.deps.logger.info(log, 'scheduled firing skipped: the previous one is still running');
      return;
    }
    this.inFlight.add(key);
    // Through a promise, so even a trigger that throws synchronously frees the job again.
    const started = Promise.resolve().then(() =>
      this.deps.runs.trigger({
        contract: e.contract,
        environment: e.environment,
        actor: 'system:schedule',
        trigger: 'schedule',
      }),
    );
    void settleTrigger(this.deps.logger, log, started).finally(() => this.inFlight.delete(key));
  }
}

/** A (environment, contract version) that a trigger without a version would run. */
export interface TriggerableContract {
  environment: Environment;
  contract: RegisteredContract;
}

/**
 * Per (environment, contract), the newest active version: the one `runs.trigger`
 * resolves when no version is given, so a job or an arrival only ever starts a run of
 * the version whose schedule and glob it was chosen for.
 */
export async function triggerableContracts(registry: ActiveContractSource): Promise<TriggerableContract[]> {
  const seen = new Set<string>();
  const out: TriggerableContract[] = [];
  // activeVersions sorts each contract's versions newest first.
  for (const a of await registry.activeVersions()) {
    const key = jobKey(a.environment, a.name);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      environment: a.environment,
      contract: await registry.resolve(a.name, a.version, a.environment),
    });
  }
  return out;
}

/** How a system trigger ended. */
export type TriggerOutcome =
  | { kind: 'run'; run: Run }
  | { kind: 'nothing-new'; reason: string }
  /** Refused for what is there (a landing file that changed after it was ingested): trying again cannot help. */
  | { kind: 'refused'; reason: string }
  | { kind: 'error'; error: unknown };

/**
 * Logs how a system trigger ended and says so; never rejects. "Nothing new to run"
 * (an InputError: every file already ingested, or none there) is an expected answer,
 * not an error; a conflict (a landing file that changed after it was ingested) is a
 * refusal, logged as a warning with its reason and not retried.
 */
export async function settleTrigger(
  logger: Logger,
  log: Record<string, unknown>,
  started: Promise<Run>,
): Promise<TriggerOutcome> {
  try {
    const run = await started;
    const fields = { ...log, runId: run.id, status: run.status, error: run.error ?? undefined };
    if (run.status === 'failed') logger.warn(fields, 'triggered run failed');
    else logger.info(fields, 'triggered run finished');
    return { kind: 'run', run };
  } catch (err) {
    if (err instanceof InputError) {
      logger.info({ ...log, reason: err.message }, 'nothing new to run');
      return { kind: 'nothing-new', reason: err.message };
    }
    if (err instanceof ConflictError) {
      logger.warn({ ...log, reason: err.message, details: err.details }, 'run refused');
      return { kind: 'refused', reason: err.message };
    }
    logger.error({ ...log, err }, 'run not triggered');
    return { kind: 'error', error: err };
  }
}

function jobKey(environment: string, contract: string): string {
  return `${environment}\u0000${contract}`;
}

function nextOf(job: schedule.Job): Date | null {
  // node-schedule hands out a CronDate despite its Date typing; normalise it.
  const next = job.nextInvocation() as Date | { getTime(): number } | null;
  return next ? new Date(next.getTime()) : null;
}
