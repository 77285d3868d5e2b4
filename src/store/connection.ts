/**
 * Opens the database: an embedded SQLite file by default, PostgreSQL when a URL is
 * given. The only place that knows connection details.
 */
import knex, { type Knex } from 'knex';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Engine } from './dialect';
import { ImmediateSqliteClient } from './sqlite-immediate';
import { knexLog, type DriverLogger } from './driver-log';
import { CHECKPOINT_DEFAULTS, startCheckpointer, type CheckpointerOptions } from './sqlite-checkpointer';

export type DbOptions =
  | {
      engine: 'sqlite';
      filename: string;
      /** When the WAL is copied back into the file (sqlite-checkpointer.ts); tests set their own. */
      checkpoint?: CheckpointerOptions;
    }
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
  /**
   * A connection of its own for run lease renewals, opened on first use: a heartbeat
   * must never wait for the pool behind the process's own work (on SQLite the single
   * pooled connection is busy for the whole of a run's commit, or a long history read;
   * on PostgreSQL the pool may be full). The same knex on an in-memory SQLite database.
   */
  leases(): Knex;
  close(): Promise<void>;
}

/** `logger` receives the driver's own warnings and errors (driver-log.ts); stderr as JSON without one. */
export function openDb(opts: DbOptions, logger?: DriverLogger): Db {
  const log = knexLog(logger);
  const openSqlite = (filename: string) => sqliteKnex(filename, log);
  const openPostgres = (o: PgOptions) => postgresKnex(o, log);
  const k = opts.engine === 'sqlite' ? openSqlite(opts.filename) : openPostgres(opts);
  const fileBacked =
    opts.engine === 'sqlite' && opts.filename !== ':memory:' && !opts.filename.startsWith('file:');
  const checkpointer =
    opts.engine === 'sqlite' && fileBacked
      ? startCheckpointer(
          opts.filename,
          () => openSqlite(opts.filename),
          opts.checkpoint ?? CHECKPOINT_DEFAULTS,
        )
      : null;
  let side: Knex | null = null;
  let closed = false;
  // After close, the closed pool: a late caller's query fails. Opening a new side
  // connection then would re-create the database's files behind a closed store (a test's
  // teardown once found its directory refilled while removing it).
  const leases = () =>
    closed
      ? k
      : (side ??=
          opts.engine === 'sqlite'
            ? fileBacked
              ? openSqlite(opts.filename)
              : k
            : openPostgres({ ...opts, poolMax: 1, queryTimeoutMs: opts.queryTimeoutMs === 0 ? 0 : 5_000 }));
  return {
    knex: k,
    engine: opts.engine,
    leases,
    close: async () => {
      closed = true;
      await checkpointer?.stop();
      if (side && side !== k) await side.destroy();
      side = null;
      await k.destroy();
    },
  };
}

/**
 * The page size of a new SQLite store (SQLite's default is 4 KiB). The point-in-time
 * index keeps each entity's rows together, so a daily run's rows, one per entity, land
 * on thousands of its leaf pages, and a commit writes each page it touched whole: larger
 * pages mean fewer of them to write, and fewer to walk for the history read. Measured on
 * the daily case (10,000 rows into 1M): the commit wrote 7,400 pages of 4 KiB in
 * 145–210 ms, 930 of 32 KiB in 65–75 ms; the run took 485–545 ms against 344–408 ms.
 * Larger pages cost point reads a longer copy per page missed, for which the read
 * connection has a bigger cache (read-statements.ts). docs/benchmarks.md, case 5.
 */
export const SQLITE_PAGE_SIZE = 32_768;

function sqliteKnex(filename: string, log: Knex.Config['log']): Knex {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  return knex({
    log,
    client: ImmediateSqliteClient as unknown as typeof knex.Client,
    connection: { filename },
    useNullAsDefault: true,
    // One writer at a time is SQLite's model; a single connection avoids SQLITE_BUSY
    // between our own connections, and WAL lets other processes read meanwhile. (Lease
    // renewals have a connection of their own: a one-row update that waits for the
    // write lock at most busy_timeout.)
    pool: {
      min: 1,
      max: 1,
      afterCreate: (conn: SqliteConn, done: (err: Error | null, conn: SqliteConn) => void) => {
        // busy_timeout first, so that the pragmas after it that read the file wait for
        // another process's lock rather than fail at once. page_size before the switch to
        // WAL: it only takes effect on a file that has no pages yet, and the switch writes
        // the first one. On an existing store it changes nothing (`tidemark vacuum`).
        // wal_autocheckpoint = 0: the copy back into the file happens beside the writer
        // (sqlite-checkpointer.ts), not inside the commit that crossed the threshold.
        // (A 32 MiB page cache took another 50 ms off a daily run's history read, but
        // raised the 1M-row ingest's peak memory past its 300 MB target: left at 2 MiB.)
        conn.exec(
          `PRAGMA busy_timeout = 5000; PRAGMA page_size = ${SQLITE_PAGE_SIZE}; PRAGMA journal_mode = WAL;` +
            ' PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;',
          (err) => done(err, conn),
        );
      },
    },
  });
}

interface SqliteConn {
  exec(sql: string, cb: (err: Error | null) => void): void;
}

interface PgOptions {
  url: string;
  schema?: string;
  poolMax?: number;
  queryTimeoutMs?: number;
}

function postgresKnex(opts: PgOptions, log: Knex.Config['log']): Knex {
  const queryTimeout = opts.queryTimeoutMs ?? 15_000;
  return knex({
    log,
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
