/**
 * Arrival triggers: watches the landing directory (chokidar) and, once a new or
 * changed file has stopped growing, starts a run of every (environment, contract)
 * whose active version has `schedule.onArrival` and a `source.path` glob matching
 * the file. Files already there at start-up come through the initial scan. Content
 * ingested before is recognised by sha256 in `runs.trigger` ("nothing new to run").
 */
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import type { Environment } from '../domain/environment';
import { globToRegExp } from '../pipeline/landing';
import { asStorageFull } from '../errors';
import { STORAGE_BACKOFF, backoffMs } from './retry';
import {
  settleTrigger,
  triggerableContracts,
  type ActiveContractSource,
  type RunTriggerer,
  type TriggerOutcome,
} from './cron-scheduler';

export interface ArrivalWatcherDeps {
  runs: RunTriggerer;
  registry: ActiveContractSource;
  landingDir: string;
  logger: Logger;
  /** A file counts as complete once its size has not changed for this long. */
  stabilityMs?: number;
}

/** What the watcher did with a file: for tests and anyone who wants to observe arrivals. */
export type ArrivalEvent =
  | { type: 'file'; file: string; matched: Array<{ environment: Environment; contract: string }> }
  | { type: 'outcome'; file: string; environment: Environment; contract: string; outcome: TriggerOutcome };

interface Target {
  environment: Environment;
  contract: string;
  version: string;
  matcher: RegExp;
}

/** Partial uploads and editor droppings: never inputs, however the glob reads. */
const TEMP_FILE = /(\.(tmp|temp|part|partial|crdownload|swp|swx|filepart)|~)$/i;

/** Transient trigger failures of one arrival are retried this many times (2 s … 60 s apart; a full disk 1 … 30 min). */
const ARRIVAL_RETRIES = 8;

export class ArrivalWatcher {
  private watcher: FSWatcher | null = null;
  private targets: Target[] = [];
  /** Complete files seen so far (relative paths): caught up for contracts that become active later. */
  private readonly known = new Set<string>();
  /** Directories chokidar tracks (relative paths): a look through their parent leaves them to it. */
  private readonly dirs = new Set<string>();
  /** Per (environment, contract), triggers one after another: two at once could both take the same content as new. */
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly listeners = new Set<(e: ArrivalEvent) => void>();
  private loading: Promise<void> = Promise.resolve();

  constructor(private readonly deps: ArrivalWatcherDeps) {}

  /** Reads the active contracts, then watches; resolves once the initial scan is done. */
  async start(): Promise<void> {
    this.targets = await this.loadTargets();
    const stabilityThreshold = this.deps.stabilityMs ?? 1000;
    const watcher = watch(this.deps.landingDir, {
      ignoreInitial: false,
      awaitWriteFinish: {
        stabilityThreshold,
        pollInterval: Math.max(10, Math.min(100, stabilityThreshold / 4)),
      },
      ignored: (path) => this.ignored(path),
    });
    this.watcher = watcher;
    watcher.on('add', (path) => this.arrived(path));
    watcher.on('change', (path) => this.arrived(path));
    watcher.on('unlink', (path) => this.known.delete(this.relative(path)));
    watcher.on('addDir', (path) => this.dirAdded(path, stabilityThreshold));
    watcher.on('unlinkDir', (path) => this.dirs.delete(this.relative(path)));
    watcher.on('error', (err) =>
      this.deps.logger.error({ err, landingDir: this.deps.landingDir }, 'landing watcher error'),
    );
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    this.deps.logger.info(
      { landingDir: this.deps.landingDir, contracts: this.targets.length },
      'watching for arrivals',
    );
  }

  /**
   * Re-reads the active contracts. Files already landed are caught up for the
   * (environment, contract) pairs that were not watched before. Never rejects.
   */
  async refresh(): Promise<void> {
    const next = this.loading.then(async () => {
      const before = new Set(this.targets.map(targetKey));
      this.targets = await this.loadTargets();
      if (!this.watcher) return;
      for (const t of this.targets.filter((x) => !before.has(targetKey(x)))) {
        for (const file of this.known) if (t.matcher.test(file)) this.enqueue(t, file);
      }
    });
    this.loading = next.catch(() => undefined);
    await next.catch((err: unknown) => this.deps.logger.error({ err }, 'arrival contracts not refreshed'));
  }

  /** Stops watching. Triggers in flight finish on their own (their runs are in the queue). */
  async stop(): Promise<void> {
    const w = this.watcher;
    this.watcher = null;
    await w?.close();
  }

  onEvent(listener: (e: ArrivalEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async loadTargets(): Promise<Target[]> {
    const out: Target[] = [];
    for (const { environment, contract: c } of await triggerableContracts(this.deps.registry)) {
      const source = c.contract.source;
      if (
        !c.contract.schedule?.onArrival ||
        (source.type !== 'csv' && source.type !== 'jsonl') ||
        !source.path
      )
        continue;
      try {
        out.push({
          environment,
          contract: c.name,
          version: c.version,
          matcher: globToRegExp(this.relativeGlob(source.path)),
        });
      } catch (err) {
        this.deps.logger.error(
          { err, contract: c.name, environment, path: source.path },
          'source path not watchable',
        );
      }
    }
    return out;
  }

  private arrived(path: string): void {
    if (!this.watcher) return;
    const file = this.relative(path);
    this.known.add(file);
    const matched = this.targets.filter((t) => t.matcher.test(file));
    this.deps.logger.debug({ file, contracts: matched.map(targetKey) }, 'file arrived');
    this.emit({
      type: 'file',
      file,
      matched: matched.map((t) => ({ environment: t.environment, contract: t.contract })),
    });
    for (const t of matched) this.enqueue(t, file);
  }

  /**
   * Chokidar reads a new directory and only then starts watching it: a file renamed in
   * between never gets an event (a fault run once waited 61 s for one). So the directory
   * is looked through again once its watch is surely in place (a stability window later).
   */
  private dirAdded(path: string, delayMs: number): void {
    this.dirs.add(this.relative(path));
    const timer = setTimeout(() => void this.lookThrough(path), delayMs);
    timer.unref();
  }

  /**
   * What chokidar does not track yet is handed to it rather than run here: a file then
   * waits for its stability window like any other and chokidar, which knows what it has
   * reported or is waiting on, reports it once; a subdirectory it missed gets read,
   * watched and looked through in turn.
   */
  private async lookThrough(dir: string): Promise<void> {
    // Gone again, or unreadable (chokidar reports that itself): nothing to find.
    const names = await readdir(dir).catch(() => []);
    const watcher = this.watcher;
    if (!watcher) return;
    for (const name of names) {
      const path = join(dir, name);
      const rel = this.relative(path);
      if (!this.ignored(path) && !this.known.has(rel) && !this.dirs.has(rel)) watcher.add(path);
    }
  }

  /**
   * A trigger that failed for a transient reason (database or file system) is tried
   * again with backoff: an arrival has no later firing to pick the file up.
   */
  private retryLater(t: Target, file: string, attempt: number, error: unknown): void {
    if (attempt > ARRIVAL_RETRIES || this.watcher === null) return;
    const delay = arrivalRetryDelayMs(attempt, error);
    this.deps.logger.warn(
      {
        contract: t.contract,
        environment: t.environment,
        file,
        attempt,
        delayMs: delay,
        diskFull: asStorageFull(error) !== null,
      },
      'arrival trigger failed; retrying',
    );
    const timer = setTimeout(() => {
      if (this.watcher !== null) this.enqueue(t, file, attempt + 1);
    }, delay);
    timer.unref();
  }

  private enqueue(t: Target, file: string, attempt = 1): void {
    const key = targetKey(t);
    const log = {
      contract: t.contract,
      version: t.version,
      environment: t.environment,
      trigger: 'arrival',
      file,
    };
    const task = async () => {
      const started = Promise.resolve().then(() =>
        this.deps.runs.trigger({
          contract: t.contract,
          environment: t.environment,
          actor: 'system:arrival',
          trigger: 'arrival',
          file,
        }),
      );
      const outcome = await settleTrigger(this.deps.logger, log, started);
      if (outcome.kind === 'error') this.retryLater(t, file, attempt, outcome.error);
      this.emit({ type: 'outcome', file, environment: t.environment, contract: t.contract, outcome });
    };
    const next = (this.lanes.get(key) ?? Promise.resolve()).then(task);
    this.lanes.set(key, next);
    void next.finally(() => {
      if (this.lanes.get(key) === next) this.lanes.delete(key);
    });
  }

  private emit(e: ArrivalEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.deps.logger.error({ err }, 'arrival listener failed');
      }
    }
  }

  /** Dotfiles and dot-directories (uploads in progress, editor state) and temp names. */
  private ignored(path: string): boolean {
    const rel = this.relative(path);
    if (rel === '' || rel.startsWith('..')) return false;
    return rel.split('/').some((seg) => seg.startsWith('.')) || TEMP_FILE.test(rel);
  }

  private relative(path: string): string {
    return relative(this.deps.landingDir, path).split(sep).join('/');
  }

  /** A glob as the acquirer reads it: relative to the landing directory, without `./`. */
  private relativeGlob(glob: string): string {
    const p = glob.replace(/\\/g, '/');
    return (isAbsolute(p) ? this.relative(p) : p).replace(/^\.\//, '');
  }
}

/**
 * How long an arrival trigger that failed waits before attempt `attempt + 1`: 2 s
 * doubling to 60 s; after a full disk, which stays full until someone frees space, the
 * runs' storage schedule (1 min doubling to 30 min).
 */
export function arrivalRetryDelayMs(attempt: number, error: unknown): number {
  if (asStorageFull(error)) return backoffMs(STORAGE_BACKOFF, attempt + 1);
  return Math.min(60_000, 2_000 * 2 ** (attempt - 1));
}

function targetKey(t: { environment: string; contract: string }): string {
  return `${t.environment}:${t.contract}`;
}
