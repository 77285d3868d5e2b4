/**
 * A runtime for the managed-pipeline tests (queue, retries, recovery, backfills,
 * reactions, promotion, audit): like test/support/runtime.ts, plus the dispatcher
 * overrides (retry policy, lease, instance id) and `peer()`, a second runtime on the
 * SAME database and data directory, standing for a second process. The periodic
 * sweep is off: tests call `dispatcher.sweep()` themselves, and move a ManualClock.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { loadConfig } from '../../src/config';
import type { Environment } from '../../src/domain/environment';
import type { Role } from '../../src/config';
import { openRuntime, type Runtime } from '../../src/runtime';
import { ManualClock, type IdGenerator } from '../../src/clock';
import { silentLogger } from '../../src/observability/logger';
import { parseContract } from '../../src/contracts/parse';
import type { ApplyOutcome } from '../../src/contracts/registry';
import { Acquirer } from '../../src/pipeline/acquire';
import type { WriteHook } from '../../src/pipeline/write-stage';
import type { RawBatch } from '../../src/domain/raw-batch';
import type { Run, RunStatus, RunTrigger } from '../../src/domain/run';
import type { RetryPolicy } from '../../src/scheduling/retry';
import type { RunFilter } from '../../src/store/run.repository';
import { createTestDbOptions } from './db';
import { removeDir } from './remove-dir';

/** 2025-01-01T00:00:00Z, after every event time the tests use. */
export const CLOCK_START = Date.UTC(2025, 0, 1);

/** Long enough that the dispatcher's real wake-up timers never fire during a test. */
export const TEST_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 100_000 };

export interface ManagedOptions {
  clock?: ManualClock;
  writeHook?: WriteHook;
  retry?: RetryPolicy;
  leaseMs?: number;
  instanceId?: string;
  /** `serve`'s role for this runtime (default: unset, executes what it queues). */
  role?: Role;
  /** Contract YAML texts applied (actor 'test') through the lifecycle before the runtime is handed out. */
  contracts?: string[];
}

export interface ManagedRuntime extends Runtime {
  clock: ManualClock;
  /** Parses and applies YAML texts through `contracts.apply` (so policies such as backfill act). */
  apply(actor: string, ...yaml: string[]): Promise<ApplyOutcome[]>;
  /** Another runtime (another "process") on the same database, data directory, clock and ids. */
  peer(opts: {
    instanceId: string;
    writeHook?: WriteHook;
    leaseMs?: number;
    role?: Role;
    pollQueueMs?: number;
  }): Promise<Runtime>;
  /** Closes the peers and the runtime, then removes the data directory and the database. */
  dispose(): Promise<void>;
}

let seq = 0;
/** Readable ids that sort by creation, shared by every runtime of this test process. */
const ids: IdGenerator = (prefix) => `${prefix}_${String(++seq).padStart(6, '0')}`;

export async function createManagedRuntime(opts: ManagedOptions = {}): Promise<ManagedRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tidemark-managed-'));
  const db = await createTestDbOptions();
  const config = loadConfig({ TIDEMARK_DATA_DIR: dataDir, TIDEMARK_LOG_LEVEL: 'silent' });
  const clock = opts.clock ?? new ManualClock(CLOCK_START);
  const common = { db: db.options, clock, logger: silentLogger(), codeVersion: 'test', ids, sweepMs: 0 };
  const retry = opts.retry ?? TEST_RETRY;
  const runtime = await openRuntime(config, {
    ...common,
    retry,
    writeHook: opts.writeHook,
    leaseMs: opts.leaseMs,
    instanceId: opts.instanceId ?? 'instance-1',
    role: opts.role,
  });
  const peers: Runtime[] = [];
  const rt: ManagedRuntime = {
    ...runtime,
    clock,
    apply: (actor, ...yaml) =>
      runtime.contracts.apply(
        yaml.map((y, i) => parseContract(y, `inline-${i}.yaml`)),
        actor,
      ),
    peer: async (p) => {
      const other = await openRuntime(config, { ...common, retry, ...p });
      peers.push(other);
      return other;
    },
    dispose: async () => {
      for (const p of peers) await p.close();
      await runtime.close();
      await db.dispose();
      removeDir(dataDir);
    },
  };
  if (opts.contracts?.length) {
    try {
      await rt.apply('test', ...opts.contracts);
    } catch (err) {
      await rt.dispose();
      throw err;
    }
  }
  return rt;
}

/** Keeps pushed records as a raw batch of the contract (its version active in `environment`), without running it. */
export async function acquireRecords(
  rt: Runtime,
  contract: string,
  records: unknown[],
  environment: Environment = 'dev',
): Promise<RawBatch> {
  const registered = await rt.registry.resolve(contract, undefined, environment);
  const acquirer = new Acquirer({
    store: rt.store,
    rawStore: rt.rawStore,
    clock: rt.clock,
    ids: rt.ids,
    landingDir: rt.config.landingDir,
    logger: rt.logger,
  });
  return (await acquirer.records(registered, records)).batches[0]!;
}

/** Queues (does not execute) a run of the active version over pushed records. */
export async function enqueueRecords(
  rt: Runtime,
  contract: string,
  records: unknown[],
  opts: { environment?: Environment; trigger?: RunTrigger; actor?: string } = {},
): Promise<Run> {
  const environment = opts.environment ?? 'dev';
  const batch = await acquireRecords(rt, contract, records, environment);
  return rt.executor.enqueue({
    contract: await rt.registry.resolve(contract, undefined, environment),
    environment,
    trigger: opts.trigger ?? 'manual',
    rawBatches: [batch],
    actor: opts.actor ?? 'test',
  });
}

const TERMINAL: readonly RunStatus[] = ['succeeded', 'failed', 'rolled_back', 'superseded'];

/** Waits (polling the store) until the run is in one of `statuses` (default: any end state). */
export async function waitForRun(
  rt: Runtime,
  id: string,
  statuses: readonly RunStatus[] = TERMINAL,
): Promise<Run> {
  return vi.waitFor(
    async () => {
      const run = await rt.store.runs.get(id);
      if (!run || !statuses.includes(run.status)) throw new Error(`run ${id} is ${run?.status ?? 'missing'}`);
      return run;
    },
    { timeout: 15_000, interval: 20 },
  );
}

/** Waits until exactly `count` runs match the filter (and `where`), then returns them oldest first. */
export async function waitForRuns(
  rt: Runtime,
  filter: RunFilter,
  count: number,
  where: (run: Run) => boolean = () => true,
): Promise<Run[]> {
  return vi.waitFor(
    async () => {
      const runs = (await listRuns(rt, filter)).filter(where);
      if (runs.length !== count)
        throw new Error(`${runs.length} runs match ${JSON.stringify(filter)}, want ${count}`);
      return runs;
    },
    { timeout: 15_000, interval: 20 },
  );
}

/** Runs matching the filter, oldest first. */
export async function listRuns(rt: Runtime, filter: RunFilter = {}): Promise<Run[]> {
  return (await rt.store.runs.list(filter, 1000)).runs.reverse();
}

/** Every status event published by these runtimes, in publication order, as `id:status`. */
export function recordEvents(...runtimes: Runtime[]): { events: Run[]; stop(): void } {
  const events: Run[] = [];
  const stops = runtimes.map((r) => r.events.subscribe((run) => events.push(run)));
  return { events, stop: () => stops.forEach((s) => s()) };
}

/** The greatest number of runs of one lane that the event stream shows running at once. */
export function maxConcurrent(events: readonly Run[], lane: (r: Run) => boolean = () => true): number {
  const running = new Set<string>();
  let max = 0;
  for (const e of events.filter(lane)) {
    if (e.status === 'running') running.add(e.id);
    else running.delete(e.id);
    max = Math.max(max, running.size);
  }
  return max;
}

/** Feature values of one entity as served now (optionally as of an event time). */
export async function valuesOf(
  rt: Runtime,
  contract: string,
  entity: string,
  opts: { asOf?: Date; version?: string; environment?: Environment } = {},
): Promise<{ values: Record<string, unknown> | null; runId: string | null; contractVersion: string | null }> {
  const [v] = await rt.features.features({
    contract,
    entities: [entity],
    asOf: opts.asOf,
    version: opts.version,
    environment: opts.environment ?? 'dev',
  });
  return { values: v!.values, runId: v!.runId, contractVersion: v!.contractVersion };
}

/** `YYYY-MM-DD` of day `d` of January 2024. */
export const day = (d: number): string => new Date(Date.UTC(2024, 0, d)).toISOString().slice(0, 10);
/** Day `d` of January 2024 as a Date (end of that day, for asOf queries). */
export const endOfDay = (d: number): Date => new Date(Date.UTC(2024, 0, d, 23, 59, 59));
