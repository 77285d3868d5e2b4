/**
 * One fresh PostgreSQL database per fault test file (`tm_fault_<random>`), created
 * on the shared server and dropped afterwards. The tests read it directly to count
 * what was stored; the instances under test get its URL (or a proxy's).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The shared server; tests never stop it, they only create and drop their own database. */
export const ADMIN_URL =
  process.env.FAULTS_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

/** The tables whose row counts prove that nothing was stored (or nothing twice). */
export const STORE_TABLES = [
  'runs',
  'raw_batches',
  'run_raw_batches',
  'feature_rows',
  'rejected_rows',
  'lineage_edges',
  'audit_log',
  'contract_versions',
] as const;
export type StoreTable = (typeof STORE_TABLES)[number];
export type Counts = Record<StoreTable, number>;

export interface FaultDb {
  name: string;
  /** Direct URL of the database (instances behind a proxy get a rewritten one). */
  url: string;
  host: string;
  port: number;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Row counts of every store table (0 for a table not migrated yet). */
  counts(): Promise<Counts>;
  drop(): Promise<void>;
}

export async function createFaultDb(): Promise<FaultDb> {
  const name = `tm_fault_${randomBytes(6).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = withDatabase(ADMIN_URL, name);
  const { hostname, port } = new URL(url);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined); // an idle client dropped by the server; the next query reconnects
  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    (await pool.query<R>(sql, params)).rows;
  return {
    name,
    url,
    host: hostname,
    port: Number(port || 5432),
    query,
    counts: async () => {
      const out = {} as Counts;
      for (const t of STORE_TABLES) {
        const exists = await query<{ r: string | null }>('SELECT to_regclass($1) AS r', [t]);
        out[t] = exists[0]?.r
          ? Number((await query<{ n: string }>(`SELECT count(*) AS n FROM "${t}"`))[0]!.n)
          : 0;
      }
      return out;
    },
    drop: async () => {
      await pool.end().catch(() => undefined);
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** The same URL pointing at another database, or at a proxy's host and port. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function viaProxy(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
