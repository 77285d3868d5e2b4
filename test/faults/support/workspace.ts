/**
 * What every fault test file sets up: a fresh database, a shared data directory
 * (landing + raw store, as a shared volume would be for several replicas), a
 * contracts directory, a log directory, and the instances to stop at the end.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createFaultDb, type FaultDb } from './pg';
import {
  BIN_ARGS,
  childEnv,
  REPO_ROOT,
  startInstance,
  stopAll,
  type Instance,
  type InstanceOptions,
} from './instance';

/** Which store the instances keep: the file's own PostgreSQL database, or SQLite in the data directory. */
export type FaultEngine = 'postgres' | 'sqlite';
export const ENGINES: readonly FaultEngine[] = ['sqlite', 'postgres'];

export interface StartOptions extends Partial<InstanceOptions> {
  /** Default postgres. SQLite: one file under the workspace's data directory. */
  engine?: FaultEngine;
}

export interface Workspace {
  root: string;
  /** The PostgreSQL database of this workspace (instances started with engine sqlite do not use it). */
  db: FaultDb;
  dataDir: string;
  landingDir: string;
  contractsDir: string;
  logDir: string;
  instances: Instance[];
  /** Starts `tidemark serve` on this workspace's directories. */
  start(name: string, opts?: StartOptions): Promise<Instance>;
  addContract(file: string, yaml: string): void;
  /** Writes a file into the landing directory atomically (temp name, then rename). */
  land(rel: string, content: string): void;
  /** Runs the CLI against this workspace; resolves with its exit code and output. */
  cli(
    args: string[],
    env?: Record<string, string>,
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Creates an API key through the CLI and returns it. */
  createKey(owner: string, role: 'reader' | 'writer' | 'admin'): Promise<string>;
  /**
   * After a failed test: prints the runs table and each instance's last log lines, and
   * keeps the directory (logs, data) instead of removing it at dispose.
   */
  diagnose(): Promise<void>;
  dispose(): Promise<void>;
}

export async function createWorkspace(label: string): Promise<Workspace> {
  const root = mkdtempSync(join(tmpdir(), `tm-fault-${label}-`));
  const dataDir = join(root, 'data');
  const landingDir = join(dataDir, 'landing');
  const contractsDir = join(root, 'contracts');
  const logDir = join(root, 'logs');
  for (const d of [landingDir, contractsDir, logDir]) mkdirSync(d, { recursive: true });
  const db = await createFaultDb();
  const instances: Instance[] = [];
  let failed = false;
  const baseEnv = () => ({
    DATABASE_URL: db.url,
    TIDEMARK_DATA_DIR: dataDir,
    TIDEMARK_CONTRACTS_DIR: contractsDir,
    TIDEMARK_LOG_LEVEL: 'warn',
  });
  const cli: Workspace['cli'] = (args, env = {}) =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, [...BIN_ARGS, ...args], {
        cwd: REPO_ROOT,
        env: childEnv({ ...baseEnv(), ...env }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
      p.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  const ws: Workspace = {
    root,
    db,
    dataDir,
    landingDir,
    contractsDir,
    logDir,
    instances,
    start: async (name, { engine = 'postgres', ...opts } = {}) => {
      const databaseUrl = engine === 'postgres' ? db.url : undefined;
      const inst = await startInstance({ name, dataDir, contractsDir, databaseUrl, logDir, ...opts });
      instances.push(inst);
      return inst;
    },
    addContract: (file, yaml) => writeFileSync(join(contractsDir, file), yaml),
    land: (rel, content) => {
      const path = join(landingDir, rel);
      mkdirSync(dirname(path), { recursive: true });
      const tmp = join(dirname(path), `.${Date.now()}.tmp`);
      writeFileSync(tmp, content);
      // rename is atomic: the watcher never sees a half-written file under its real name
      renameSync(tmp, path);
    },
    cli,
    createKey: async (owner, role) => {
      const r = await cli(['keys', 'create', '--owner', owner, '--role', role]);
      const key = r.stdout.trim();
      if (r.code !== 0 || !key.startsWith('tmk_'))
        throw new Error(`keys create failed (${r.code}): ${r.stderr}`);
      return key;
    },
    diagnose: async () => {
      failed = true;
      const table = await db
        .query(
          'SELECT id, trigger, status, error_kind, error, parent_run_id, attempt, claimed_by, rows_written FROM runs ORDER BY queued_at',
        )
        .catch((err: Error) => [{ error: err.message }]);
      writeFileSync(join(root, 'runs.json'), JSON.stringify(table, null, 2));
      const tails = instances
        .map((i) => `--- ${i.name} (pid ${i.pid}, ${i.logFile})\n${i.tail(40)}`)
        .join('\n');
      console.error(`fault test failed; kept ${root}\nruns: ${JSON.stringify(table)}\n${tails}`);
    },
    dispose: async () => {
      await stopAll(instances);
      await db.drop();
      if (!process.env.FAULTS_KEEP && !failed) rmSync(root, { recursive: true, force: true });
    },
  };
  return ws;
}

/** Polls `probe` until it returns a truthy value; throws after `timeoutMs` with `what`. */
export async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs: number,
  what: string,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What a fault test observed, one JSON line per fact, appended to FAULTS_REPORT when
 * the runner sets it (scripts/test-faults.mjs prints them as the docs/faults.md table).
 */
export function observe(fault: string, tried: string, observed: string): void {
  const file = process.env.FAULTS_REPORT;
  const line = JSON.stringify({ fault, tried, observed });
  if (file) appendFileSync(file, line + '\n');
  else console.log(`[fault] ${line}`);
}
