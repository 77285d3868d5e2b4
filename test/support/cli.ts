/**
 * Runs the real `tidemark` command (node bin/tidemark.js) as a child process against
 * a temporary data directory (landing and raw directories, and a contracts directory
 * holding copies of the repository's example contracts) and this leg's engine: its
 * own SQLite file, or a fresh schema of TEST_DATABASE_URL's PostgreSQL database.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDbOptions } from './db';
import { removeDir } from './remove-dir';

export const REPO = resolve(import.meta.dirname, '..', '..');
const BIN = join(REPO, 'bin', 'tidemark.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliHome {
  dataDir: string;
  contractsDir: string;
  env: Record<string, string>;
  /** Copies a sample file of seeds/data into the landing directory. */
  land(sample: string): void;
  cli(args: string[], opts?: { env?: Record<string, string>; cwd?: string }): Promise<CliResult>;
  dispose(): Promise<void>;
}

export async function createCliHome(): Promise<CliHome> {
  const root = mkdtempSync(join(tmpdir(), 'tidemark-cli-'));
  const dataDir = join(root, 'data');
  const contractsDir = join(root, 'contracts');
  cpSync(join(REPO, 'contracts'), contractsDir, { recursive: true });
  const env: Record<string, string> = {
    TIDEMARK_DATA_DIR: dataDir,
    TIDEMARK_CONTRACTS_DIR: contractsDir,
    TIDEMARK_LOG_LEVEL: 'warn',
  };
  const db = await createTestDbOptions();
  if (db.options.engine === 'postgres') {
    // The child reads only DATABASE_URL: the schema travels as the connection's search_path.
    const url = new URL(db.options.url);
    url.searchParams.set('options', `-c search_path=${db.options.schema}`);
    env.DATABASE_URL = url.toString();
  }
  return {
    dataDir,
    contractsDir,
    env,
    land(sample) {
      const to = join(dataDir, 'landing', sample);
      mkdirSync(join(to, '..'), { recursive: true });
      cpSync(join(REPO, 'seeds', 'data', sample), to);
    },
    cli: (args, opts = {}) => runCli(args, { ...env, ...opts.env }, opts.cwd),
    dispose: async () => {
      removeDir(root);
      await db.dispose();
    },
  };
}

/** The environment of the child: this process's, without any TIDEMARK_* or DATABASE_URL of its own. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TIDEMARK_') && k !== 'DATABASE_URL'),
  );
  return { ...base, ...extra };
}

export function runCli(args: string[], env: Record<string, string>, cwd = REPO): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end();
  });
}
