/**
 * A Tidemark runtime for the bench: a fresh data directory and a fresh database
 * (a SQLite file, or a new PostgreSQL database created and dropped around it), a
 * silent logger unless one is given, no background sweep, no retries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex from 'knex';
import type { Logger } from 'pino';
import { loadConfig, type Role } from '../../src/config';
import { openRuntime, type Runtime } from '../../src/runtime';
import { parseContract } from '../../src/contracts/parse';

export type Engine = 'sqlite' | 'postgres';

export interface BenchRuntime {
  rt: Runtime;
  dataDir: string;
  /** Closes the runtime, drops the PostgreSQL database, removes the data directory. */
  dispose(): Promise<void>;
}

export interface BenchRuntimeOptions {
  engine: Engine;
  pgUrl: string;
  /** Reuse this data directory (its SQLite file and landing files) instead of a fresh one. */
  dataDir?: string;
  logger?: Logger;
  contracts?: string[];
  /** As `serve --role` gives it: `api` only queues runs, `worker` executes them (default: both). */
  role?: Role;
  /** False: runs store no profiles (the `profile` case measures what they cost). */
  profile?: boolean;
}

export async function openBenchRuntime(o: BenchRuntimeOptions): Promise<BenchRuntime> {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'tidemark-bench-'));
  const database = o.engine === 'postgres' ? await createPgDatabase(o.pgUrl) : null;
  const config = loadConfig({
    TIDEMARK_DATA_DIR: dataDir,
    TIDEMARK_LOG_LEVEL: 'silent',
    ...(database ? { DATABASE_URL: database.url } : {}),
  });
  const rt = await openRuntime(config, {
    logger: o.logger,
    codeVersion: 'bench',
    sweepMs: 0,
    retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
    role: o.role,
    profile: o.profile,
  });
  if (o.contracts?.length) await applyContracts(rt, o.contracts);
  return {
    rt,
    dataDir,
    dispose: async () => {
      await rt.close();
      await database?.drop();
      if (!o.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function applyContracts(rt: Runtime, yaml: string[]): Promise<void> {
  await rt.contracts.apply(
    yaml.map((y, i) => parseContract(y, `bench-${i}.yaml`)),
    'bench',
  );
}

/** A new, empty database next to the one in `url`; `drop()` removes it (forcing out stray connections). */
export async function createPgDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `tidemark_bench_${process.pid}_${Date.now().toString(36)}`;
  await withAdmin(url, (db) => db.raw(`CREATE DATABASE ${name}`));
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => withAdmin(url, (db) => db.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function withAdmin(url: string, fn: (db: knex.Knex) => Promise<unknown>): Promise<void> {
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await fn(db);
  } finally {
    await db.destroy();
  }
}

/** Whether PostgreSQL answers at `url` (the bench skips the PostgreSQL legs when it does not). */
export async function pgReachable(url: string): Promise<boolean> {
  try {
    await withAdmin(url, (db) => db.raw('select 1'));
    return true;
  } catch {
    return false;
  }
}
