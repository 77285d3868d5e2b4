/**
 * A whole Tidemark runtime for integration tests: a temporary data directory (its
 * landing and raw directories), a fresh database on this leg's engine, a ManualClock,
 * a silent logger and code version 'test'. Contracts given as YAML texts are applied.
 * `dispose()` closes the runtime and removes everything it created.
 */
import { mkdtempSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config';
import { openRuntime, type Runtime } from '../../src/runtime';
import { ManualClock } from '../../src/clock';
import { silentLogger } from '../../src/observability/logger';
import { parseContract } from '../../src/contracts/parse';
import type { ApplyOutcome } from '../../src/contracts/registry';
import type { WriteHook } from '../../src/pipeline/write-stage';
import type { RetryPolicy } from '../../src/scheduling/retry';
import { T } from '../../src/store/tables';
import { createTestDbOptions } from './db';
import { removeDir } from './remove-dir';

/** 2025-01-01T00:00:00Z: the default start of the test clock, after every test event time. */
export const CLOCK_START = Date.UTC(2025, 0, 1);

export interface TestRuntimeOptions {
  clock?: ManualClock;
  writeHook?: WriteHook;
  /** Contract YAML texts to apply (actor 'test') before the runtime is handed out. */
  contracts?: string[];
  /**
   * Retries of transiently failed runs. Default: none, so a test sees exactly the runs
   * it started (an injected error would otherwise queue a retry run).
   */
  retry?: RetryPolicy;
}

const NO_RETRY: RetryPolicy = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

export interface TestRuntime extends Runtime {
  clock: ManualClock;
  /** Parses and applies contract YAML texts. */
  apply(...yaml: string[]): Promise<ApplyOutcome[]>;
  /** Writes a file under the landing directory (creating folders); returns its absolute path. */
  land(relativePath: string, content: string | Buffer): Promise<string>;
  /** Closes the runtime, then removes the data directory and the database. */
  dispose(): Promise<void>;
}

let seq = 0;

export async function createTestRuntime(opts: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tidemark-rt-'));
  const db = await createTestDbOptions();
  const config = loadConfig({ TIDEMARK_DATA_DIR: dataDir, TIDEMARK_LOG_LEVEL: 'silent' });
  const clock = opts.clock ?? new ManualClock(CLOCK_START);
  let runtime: Runtime;
  try {
    runtime = await openRuntime(config, {
      db: db.options,
      clock,
      logger: silentLogger(),
      codeVersion: 'test',
      writeHook: opts.writeHook,
      retry: opts.retry ?? NO_RETRY,
      // No background sweep: nothing runs unless the test asks for it.
      sweepMs: 0,
      // Readable, unique and sortable by creation, so failures point at the right run.
      ids: (prefix) => `${prefix}_${String(++seq).padStart(6, '0')}`,
    });
  } catch (err) {
    await db.dispose();
    removeDir(dataDir);
    throw err;
  }
  const rt: TestRuntime = {
    ...runtime,
    clock,
    apply: (...yaml) =>
      runtime.registry.apply(
        yaml.map((y, i) => parseContract(y, `inline-${i}.yaml`)),
        'test',
      ),
    land: async (relativePath, content) => {
      const path = join(config.landingDir, relativePath);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
      return path;
    },
    dispose: async () => {
      await runtime.close();
      await db.dispose();
      removeDir(dataDir);
    },
  };
  if (opts.contracts?.length) {
    try {
      await rt.apply(...opts.contracts);
    } catch (err) {
      await rt.dispose();
      throw err;
    }
  }
  return rt;
}

/**
 * What a run records about itself even when it fails: the run row, the raw batches it
 * was queued with (linked at enqueue, so a queued or failed run can be retried) and
 * the audit trail.
 */
export const RUN_RECORD_TABLES: readonly string[] = [T.runs, T.runRawBatches, T.auditLog];

/** Every other stored table: what a failed run must leave exactly as it was. */
export const DATA_TABLES = Object.values(T).filter((t) => !RUN_RECORD_TABLES.includes(t));

/** The full content of each table, in a stable order: equal snapshots mean an unchanged store. */
export async function snapshotTables(
  rt: Runtime,
  tables: readonly string[] = DATA_TABLES,
): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const rows = (await rt.store.db(table).select('*')) as Record<string, unknown>[];
    out[table] = rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
  }
  return out;
}

/** Row count of one table. */
export async function countRows(rt: Runtime, table: string): Promise<number> {
  const [row] = await rt.store.db(table).count<{ n: number | string }[]>({ n: '*' });
  return Number(row?.n ?? 0);
}
