/**
 * A real `tidemark serve` (SQLite in a temporary data directory, or a fresh PostgreSQL
 * database; a free port) and a fresh Chromium for each browser test file, and the CLI
 * run against the same store.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN_ARGS, childEnv, REPO_ROOT, startInstance, type Instance } from '../../faults/support/instance';
import { createFaultDb, type FaultDb } from '../../faults/support/pg';
import { openBrowser, type Browser } from './browser';

export type Engine = 'sqlite' | 'postgres';
/** SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (as CI sets it). */
export const ENGINES: Engine[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface Setup {
  root: string;
  /** The data directory (landing files, raw batches; the SQLite file on SQLite). */
  dataDir: string;
  /** The instance's store, for the CLI: its data directory, and on PostgreSQL its database. */
  storeEnv: Record<string, string>;
  server: Instance;
  b: Browser;
  db: FaultDb | null;
}

export async function setUp(
  label: string,
  engine: Engine,
  env: Record<string, string> = {},
  opts: { samples?: boolean } = {},
): Promise<Setup> {
  const root = mkdtempSync(join(tmpdir(), `tm-e2e-${label}-`));
  const dataDir = join(root, 'data');
  const db = engine === 'postgres' ? await createFaultDb() : null;
  const storeEnv = { TIDEMARK_DATA_DIR: dataDir, ...(db ? { DATABASE_URL: db.url } : {}) };
  const server = await startInstance({
    name: `${label}-${engine}`,
    dataDir,
    contractsDir: join(REPO_ROOT, 'contracts'),
    databaseUrl: db?.url ?? '',
    logDir: join(root, 'logs'),
    env,
    samples: opts.samples,
  });
  return { root, dataDir, storeEnv, server, b: await openBrowser(), db };
}

export async function tearDown(s: Setup | undefined): Promise<void> {
  await s?.b.close();
  await s?.server.kill();
  await s?.db?.drop();
  if (s) rmSync(s.root, { recursive: true, force: true });
}

/** `tidemark <args>` on the server's store; resolves with its standard output. */
export function tidemark(storeEnv: Record<string, string>, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...BIN_ARGS, ...args], {
      cwd: REPO_ROOT,
      env: childEnv({ ...storeEnv, TIDEMARK_LOG_LEVEL: 'silent' }),
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`tidemark ${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
}

/** `tidemark keys create`: a new key of `role`. */
export async function createKey(storeEnv: Record<string, string>, role = 'admin'): Promise<string> {
  const out = await tidemark(storeEnv, ['keys', 'create', '--owner', 'e2e', '--role', role]);
  const key = out
    .trim()
    .split('\n')
    .find((l) => l.startsWith('tmk_'));
  if (!key) throw new Error(`keys create printed no key: ${out}`);
  return key;
}

/** One GraphQL call over HTTP, as another client would send it meanwhile; answers `data`. */
export async function gql<T = Record<string, unknown>>(
  server: Instance,
  query: string,
  variables: Record<string, unknown> = {},
  key?: string,
): Promise<T> {
  const res = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors?.length)
    throw new Error(`${query.slice(0, 60)}…: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data as T;
}
