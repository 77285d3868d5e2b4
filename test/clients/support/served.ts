/**
 * A real `tidemark serve` child process for the Python tests, configured as a user
 * would: keys required (TIDEMARK_AUTH=required), an admin and a reader key made with
 * the CLI (`tidemark keys create`) before it starts, this leg's engine (its own SQLite
 * file, or a fresh schema of TEST_DATABASE_URL's PostgreSQL), the repository's example
 * contracts (plus any given here) registered by `serve` itself at start. Data goes in
 * through the HTTP API with the admin key, as a pipeline would put it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createCliHome, REPO, type CliHome } from '../../support/cli';
import { startInstance, type Instance } from '../../faults/support/instance';

const COUNTRY_DAILY_FILES = ['2020-q1.csv', '2020-q2.csv'];

export interface Served {
  home: CliHome;
  instance: Instance;
  base: string;
  admin: string;
  reader: string;
  /** A CLI-made key: `tidemark keys create`, answering its secret and id. */
  key(role: 'reader' | 'writer' | 'admin', owner: string): Promise<{ id: string; secret: string }>;
  /** A GraphQL operation with the admin key; its errors fail the test. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Pushes records into a push contract and expects the run to succeed; answers the run id. */
  ingest(contract: string, records: unknown[]): Promise<string>;
  /** Waits for the runs of country_daily's sample files, landed before start, by the arrival watcher. */
  countryDailyRun(): Promise<string>;
  close(): Promise<void>;
}

export async function startServed(extraContracts: Record<string, string> = {}): Promise<Served> {
  const home = await createCliHome();
  for (const [name, yaml] of Object.entries(extraContracts))
    writeFileSync(join(home.contractsDir, `${name}.yaml`), yaml);
  const made = async (role: string, owner: string) => {
    const r = await home.cli(['keys', 'create', '--owner', owner, '--role', role]);
    expect(r.code, r.stderr).toBe(0);
    const id = /key (\S+) for/.exec(r.stderr)?.[1];
    return { id: id ?? '', secret: r.stdout.trim() };
  };
  const admin = (await made('admin', 'py-admin')).secret;
  const reader = (await made('reader', 'py-reader')).secret;
  // country_daily's sample files, landed before start: the server's arrival watcher runs them.
  for (const f of COUNTRY_DAILY_FILES) home.land(`country_daily/${f}`);
  const instance = await startInstance({
    name: 'python',
    dataDir: home.dataDir,
    contractsDir: home.contractsDir,
    databaseUrl: home.env.DATABASE_URL,
    logDir: join(home.dataDir, '..', 'logs'),
    env: { TIDEMARK_AUTH: 'required' },
  });
  // It answers /healthz before it has registered the contracts directory.
  await instance.waitForLog((l) => l.msg === 'contracts synced', 60_000, 'contracts synced');
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await fetch(`${instance.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body.data as T;
  };
  const succeeded = (run: { id: string; status: string; error?: string | null }) => {
    expect(run.status, run.error ?? '').toBe('SUCCEEDED');
    return run.id;
  };
  return {
    home,
    instance,
    base: instance.baseUrl,
    admin,
    reader,
    key: (role, owner) => made(role, owner),
    gql,
    ingest: async (contract, records) => {
      const d = await gql<{ ingest: { id: string; status: string; error: string | null } }>(
        'mutation($c: String!, $r: [JSON!]!) { ingest(contract: $c, records: $r) { id status error } }',
        { c: contract, r: records },
      );
      return succeeded(d.ingest);
    },
    countryDailyRun: async () => {
      // Both files: the watcher may run them as one run or one run each.
      const want = COUNTRY_DAILY_FILES.reduce(
        (n, f) =>
          n +
          readFileSync(join(REPO, 'seeds', 'data', 'country_daily', f), 'utf8')
            .trim()
            .split('\n').length -
          1,
        0,
      );
      const query = 'query { runs(contract: "country_daily") { nodes { id status error rowsRead } } }';
      type Node = { id: string; status: string; error: string | null; rowsRead: number };
      for (let i = 0; i < 600; i++) {
        const { runs } = await gql<{ runs: { nodes: Node[] } }>(query);
        const failed = runs.nodes.find((r) => r.status === 'FAILED');
        if (failed) succeeded(failed);
        const done = runs.nodes.filter((r) => r.status === 'SUCCEEDED');
        if (done.reduce((n, r) => n + r.rowsRead, 0) >= want) return done[0]!.id;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`country_daily's sample files were not run\n${instance.tail()}`);
    },
    close: async () => {
      await instance.kill();
      await home.dispose();
    },
  };
}

/** The example sample of card_transactions (seeds/data), one record a line. */
export function cardSample(): Record<string, unknown>[] {
  return readFileSync(join(REPO, 'seeds', 'data', 'card_transactions', 'sample.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
