/**
 * Opens the database: an embedded SQLite file by default, PostgreSQL when a URL is
 * given. The only place that knows connection details.
 */
import knex, { type Knex } from 'knex';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Engine } from './dialect';

export type DbOptions =
  | { engine: 'sqlite'; filename: string }
  | {
      engine: 'postgres';
      url: string;
      schema?: string;
      poolMax?: number;
      /** Per-query limit (default 15 s); 0 turns it off (tests that fake timers). */
      queryTimeoutMs?: number;
    };

export interface Db {
  knex: Knex;
  engine: Engine;
  close(): Promise<void>;
}

export function openDb(opts: DbOptions): Db {
  const k = opts.engine === 'sqlite' ? openSqlite(opts.filename) : openPostgres(opts);
  return { knex: k, engine: opts.engine, close: () => k.destroy() };
}

function openSqlite(filename: string): Knex {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  return knex({
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    // One writer at a time is SQLite's model; a single connection avoids SQLITE_BUSY
    // between our own connections, and WAL lets other processes read meanwhile.
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: SqliteConn, done: (err: Error | null, conn: SqliteConn) => void) => {
        conn.exec(
          'PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;',
          (err) => done(err, conn),
        );
      },
    },
  });
}

interface SqliteConn {
  exec(sql: string, cb: (err: Error | null) => void): void;
}

function openPostgres(opts: {
  url: string;
  schema?: string;
  poolMax?: number;
  queryTimeoutMs?: number;
}): Knex {
  const queryTimeout = opts.queryTimeoutMs ?? 15_000;
  return knex({
    client: 'pg',
    // Without timeouts a query on a connection whose peer went silent waits forever:
    // the API must answer with an error, not hang, when the database is unreachable.
    connection: {
      connectionString: opts.url,
      query_timeout: queryTimeout > 0 ? queryTimeout : undefined,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    },
    searchPath: opts.schema ? [opts.schema] : undefined,
    pool: { min: 0, max: opts.poolMax ?? 10 },
    acquireConnectionTimeout: 10_000,
  });
}
