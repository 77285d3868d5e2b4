/**
 * Read statements on the driver itself, for the online read: each statement text is
 * prepared once and then only bound and run. Going through knex cost more than the
 * statement: its raw formatter rewrote every placeholder, and its pool made each read
 * wait for the previous one's callback (SQLite has one pooled connection) even when
 * the database thread sat idle meanwhile.
 *
 * SQLite: a connection of its own to the same file, made read-only by `query_only`.
 * WAL lets it read beside the writer; a read sees exactly what was committed when it
 * started (never a transaction still open on the writer's connection, as sharing that
 * connection would). node-sqlite3 queues calls on one statement in native code, so
 * reads follow each other without a trip through JavaScript; two statements per text
 * let the next one step while the last one's rows become JavaScript objects.
 *
 * PostgreSQL: a pooled connection per read, as knex would take it, with a named
 * statement, which pg parses and plans once per connection.
 *
 * Not for transactions: a repository bound to one reads through it (see
 * FeatureRepository).
 */
import { createHash } from 'node:crypto';
import sqlite3 from 'sqlite3';
import type { Knex } from 'knex';
import type { Engine } from './dialect';

export interface ReadStatements {
  /** Rows of `sql` (knex-style `?` placeholders) with `bindings`. */
  all<T>(sql: string, bindings: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * The rows of a built query, read beside the writer when `reads` is given, else through
 * the query's own knex (the pool; in a transaction, the transaction).
 */
export async function rowsBeside<R>(reads: ReadStatements | null, q: Knex.QueryBuilder): Promise<R[]> {
  if (!reads) return (await q) as R[];
  const { sql, bindings } = q.toSQL();
  return reads.all<R>(sql, [...bindings]);
}

/** Statements per SQLite text: one steps while the other's rows are handed over. */
const SQLITE_STATEMENTS = 2;
/**
 * A 16 MiB page cache: the 2 MiB default held 500 pages of 4 KiB but only 62 of a new
 * store's 32 KiB (connection.ts), so online reads of random entities copied a page from
 * the file for nearly every index and table step (one pair of runs measured about a
 * quarter less throughput at 32 connections; with this cache, alternating rounds found
 * no difference from 4 KiB pages). A read connection per runtime, so paid once or twice
 * a process (the API's, and `serve --role all`'s run thread's).
 */
const ONLINE_CACHE_KIB = 16_384;

export interface ReadStatementsOptions {
  /** SQLite's page cache of the connection, in KiB (default: the online reads' 16 MiB). */
  cacheKiB?: number;
}

/** Read statements for `db`, or null when reads must share its connection (an in-memory SQLite). */
export function readStatements(
  db: Knex,
  engine: Engine,
  opts: ReadStatementsOptions = {},
): ReadStatements | null {
  let reads: ReadStatements;
  if (engine === 'postgres') reads = pgStatements(db);
  else {
    const filename = (db.client.config.connection as { filename?: string } | undefined)?.filename;
    if (!filename || filename === ':memory:' || filename.startsWith('file:')) return null;
    reads = sqliteStatements(filename, opts.cacheKiB ?? ONLINE_CACHE_KIB);
  }
  return announced(db, reads);
}

/**
 * Each read still shows up as knex's `query` event, as it did when knex ran it: query
 * logging and the tests that count statements see it. Free when nobody listens.
 */
function announced(db: Knex, reads: ReadStatements): ReadStatements {
  const client = db.client as unknown as NodeJS.EventEmitter;
  return {
    all(sql, bindings) {
      if (client.listenerCount('query') > 0) client.emit('query', { method: 'raw', sql, bindings });
      return reads.all(sql, bindings);
    },
    close: () => reads.close(),
  };
}

function sqliteStatements(filename: string, cacheKiB: number): ReadStatements {
  const pragmas = `PRAGMA busy_timeout = 5000; PRAGMA query_only = ON; PRAGMA cache_size = -${cacheKiB};`;
  let opened: Promise<sqlite3.Database> | null = null;
  const statements = new Map<string, { list: sqlite3.Statement[]; next: number }>();
  const open = () =>
    (opened ??= new Promise((resolve, reject) => {
      const conn = new sqlite3.Database(filename, sqlite3.OPEN_READWRITE, (err) => {
        if (err) return reject(err);
        conn.exec(pragmas, (e) => (e ? reject(e) : resolve(conn)));
      });
    }));
  // The first open failure is not kept: the next read tries again.
  const connection = () => open().catch((err: unknown) => ((opened = null), Promise.reject(err)));

  /** The next of the text's statements, prepared on first use. */
  async function prepared(sql: string): Promise<sqlite3.Statement> {
    const conn = await connection();
    let entry = statements.get(sql); // another read may have prepared it meanwhile
    if (!entry) {
      const list = await Promise.all(Array.from({ length: SQLITE_STATEMENTS }, () => prepare(conn, sql)));
      entry = statements.get(sql);
      if (entry)
        for (const s of list) s.finalize(); // lost the race: the winner's are kept
      else statements.set(sql, (entry = { list, next: 0 }));
    }
    return take(entry);
  }

  return {
    async all<T>(sql: string, bindings: unknown[]): Promise<T[]> {
      const entry = statements.get(sql);
      const stmt = entry ? take(entry) : await prepared(sql);
      return new Promise<T[]>((resolve, reject) =>
        stmt.all(bindings, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows))),
      );
    },
    async close() {
      const conn = opened && (await opened.catch(() => null));
      opened = null;
      const all = [...statements.values()].flatMap((e) => e.list);
      statements.clear();
      await Promise.all(all.map((s) => new Promise<void>((resolve) => s.finalize(() => resolve()))));
      if (conn) await new Promise<void>((resolve) => conn.close(() => resolve()));
    },
  };
}

function take(entry: { list: sqlite3.Statement[]; next: number }): sqlite3.Statement {
  const stmt = entry.list[entry.next]!;
  entry.next = (entry.next + 1) % entry.list.length;
  return stmt;
}

function prepare(conn: sqlite3.Database, sql: string): Promise<sqlite3.Statement> {
  return new Promise((resolve, reject) => {
    const stmt = conn.prepare(sql, (err) => (err ? reject(err) : resolve(stmt)));
  });
}

/** The slice of pg's Client used here. */
interface PgConnection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}
interface KnexClientLike {
  acquireConnection(): Promise<unknown>;
  releaseConnection(conn: unknown): Promise<unknown> | unknown;
}

function pgStatements(db: Knex): ReadStatements {
  const client = db.client as unknown as KnexClientLike;
  const named = new Map<string, { name: string; text: string }>();
  return {
    async all<T>(sql: string, bindings: unknown[]): Promise<T[]> {
      let statement = named.get(sql);
      if (!statement) {
        statement = {
          name: `tm_read_${createHash('sha1').update(sql).digest('hex')}`,
          text: dollarPlaceholders(sql),
        };
        named.set(sql, statement);
      }
      const conn = (await client.acquireConnection()) as PgConnection;
      try {
        const res = await conn.query({ ...statement, values: bindings });
        return res.rows as T[];
      } finally {
        await client.releaseConnection(conn);
      }
    },
    async close() {
      named.clear(); // the connections, and their prepared statements, belong to knex's pool
    },
  };
}

/** `?` placeholders as PostgreSQL's `$1, $2, …` (our statements hold no `?` in literals). */
function dollarPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
