/**
 * Rewrites an embedded SQLite store in one pass (`tidemark vacuum`): every table and
 * index copied into fresh pages of `SQLITE_PAGE_SIZE`, free pages given back to the
 * file system. A store made before new stores got larger pages keeps its old size
 * until this runs: SQLite fixes the page size when a file gets its first page and, in
 * WAL mode, does not change it even on VACUUM, so the store leaves WAL for the length
 * of the copy and returns to it after.
 *
 * Safe to interrupt: VACUUM copies into a temporary database and replaces the file's
 * content in one transaction of the rollback journal; a failure leaves the store as it
 * was. It needs the file to itself (changing the journal mode fails while another
 * connection has it open), so it refuses at once when a server or run holds the store,
 * rather than waiting for it.
 */
import { existsSync } from 'node:fs';
import type { Knex } from 'knex';
import sqlite3 from 'sqlite3';
import { ConflictError, InputError, NotFoundError } from '../errors';
import { SQLITE_PAGE_SIZE } from './connection';

export interface VacuumResult {
  file: string;
  pageSizeBefore: number;
  pageSizeAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  ms: number;
}

type Row = Record<string, unknown>;

function open(filename: string): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(filename, sqlite3.OPEN_READWRITE, (err) =>
      err ? reject(err) : resolve(db),
    );
  });
}

function all(db: sqlite3.Database, sql: string): Promise<Row[]> {
  return new Promise((resolve, reject) =>
    db.all(sql, (err, rows) => (err ? reject(err) : resolve(rows as Row[]))),
  );
}

async function one(db: sqlite3.Database, pragma: string): Promise<number | string> {
  const [row] = await all(db, `PRAGMA ${pragma}`);
  return Object.values(row ?? {})[0] as number | string;
}

async function size(db: sqlite3.Database): Promise<{ pageSize: number; bytes: number }> {
  const pageSize = Number(await one(db, 'page_size'));
  return { pageSize, bytes: pageSize * Number(await one(db, 'page_count')) };
}

const busy = (err: unknown) => (err as { code?: string })?.code === 'SQLITE_BUSY';

export interface VacuumOptions {
  pageSize?: number;
  /** Called once the file is known to be a store, before the rewrite (which shows no progress). */
  onStart?: (before: { pageSize: number; bytes: number }) => void;
}

export async function vacuumSqlite(filename: string, opts: VacuumOptions = {}): Promise<VacuumResult> {
  const pageSize = opts.pageSize ?? SQLITE_PAGE_SIZE;
  if (!existsSync(filename)) throw new NotFoundError(`no SQLite store at ${filename}`, { file: filename });
  const started = performance.now();
  const db = await open(filename);
  try {
    await one(db, 'schema_version');
  } catch (err) {
    await new Promise<void>((resolve) => db.close(() => resolve()));
    if ((err as { code?: string })?.code === 'SQLITE_NOTADB')
      throw new InputError(`${filename} is not a SQLite database`, { file: filename });
    throw err;
  }
  try {
    const before = await size(db);
    opts.onStart?.(before);
    // Another process holding the file shows as SQLITE_BUSY when the journal mode
    // changes, or, if it opened the file just after, when VACUUM starts.
    const inUse = (err: unknown) =>
      busy(err)
        ? new ConflictError(
            `the store ${filename} is open in another process (a running \`tidemark serve\` or run?); stop it and vacuum again`,
            { file: filename },
          )
        : err;
    try {
      // Folds the write-ahead log into the file; then nobody else may hold it.
      await all(db, 'PRAGMA wal_checkpoint(TRUNCATE)');
      await all(db, 'PRAGMA journal_mode = DELETE');
      await all(db, `PRAGMA page_size = ${pageSize}`);
      await all(db, 'VACUUM');
    } catch (err) {
      throw inUse(err);
    } finally {
      // Back to WAL whatever happened (a no-op when the switch away was refused).
      await all(db, 'PRAGMA journal_mode = WAL');
    }
    const after = await size(db);
    return {
      file: filename,
      pageSizeBefore: before.pageSize,
      pageSizeAfter: after.pageSize,
      bytesBefore: before.bytes,
      bytesAfter: after.bytes,
      ms: performance.now() - started,
    };
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

/**
 * The page size of an open SQLite store when it is smaller than a new store's (a store
 * made before they grew, which `vacuum` would convert); null when it is not.
 */
export async function smallerPageSize(k: Knex): Promise<number | null> {
  const [row] = (await k.raw('PRAGMA page_size')) as Row[];
  const size = Number(Object.values(row ?? {})[0]);
  return size > 0 && size < SQLITE_PAGE_SIZE ? size : null;
}
