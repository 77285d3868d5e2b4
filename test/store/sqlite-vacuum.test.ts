/**
 * `tidemark vacuum`'s rewrite of a SQLite store: a store made with SQLite's 4 KiB pages
 * comes back with SQLITE_PAGE_SIZE, in WAL mode, every row and read as before; a store
 * another connection holds is refused and left as it was; a missing file or one that
 * is not a database is named. Always SQLite files (this is the embedded store's tool),
 * whichever engine the leg tests.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, SQLITE_PAGE_SIZE } from '../../src/store/connection';
import { migrateLatest } from '../../src/store/migrate';
import { vacuumSqlite } from '../../src/store/sqlite-vacuum';
import { loadConfig } from '../../src/config';
import { openRuntime } from '../../src/runtime';
import { createLogger } from '../../src/observability/logger';
import { ConflictError, InputError, NotFoundError } from '../../src/errors';
import { removeDir } from '../support/remove-dir';

const pragma = async (file: string, name: string) => {
  const db = openDb({ engine: 'sqlite', filename: file });
  try {
    const [row] = await db.knex.raw(`PRAGMA ${name}`);
    return Object.values(row as object)[0];
  } finally {
    await db.close();
  }
};

/** A migrated store with a table of rows, its pages `pageSize` bytes (set before its first page). */
async function storeWith(dir: string, pageSize: number): Promise<string> {
  const file = join(dir, 'tidemark.sqlite');
  const raw = new sqlite3.Database(file);
  await new Promise<void>((ok, fail) =>
    raw.exec(`PRAGMA page_size = ${pageSize}; PRAGMA journal_mode = WAL;`, (e) => (e ? fail(e) : ok())),
  );
  await new Promise<void>((ok) => raw.close(() => ok()));
  const db = openDb({ engine: 'sqlite', filename: file });
  await migrateLatest(db.knex);
  await db.knex.raw('CREATE TABLE sample (id integer primary key, v text)');
  await db.knex.raw(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
     INSERT INTO sample SELECT i, printf('value %d', i * 7) FROM n`,
  );
  await db.knex.raw('DELETE FROM sample WHERE id % 2 = 0'); // free pages for the rewrite to give back
  await db.close();
  return file;
}

async function sample(file: string): Promise<string> {
  const db = openDb({ engine: 'sqlite', filename: file });
  try {
    const rows = await db.knex('sample').select('id', 'v').orderBy('id');
    return JSON.stringify(rows);
  } finally {
    await db.close();
  }
}

describe('vacuumSqlite', () => {
  let dir = '';
  afterEach(() => removeDir(dir));
  const fresh = () => (dir = mkdtempSync(join(tmpdir(), 'tidemark-vacuum-')));

  it('gives a new store SQLITE_PAGE_SIZE pages', async () => {
    const file = join(fresh(), 'tidemark.sqlite');
    const db = openDb({ engine: 'sqlite', filename: file });
    await migrateLatest(db.knex);
    await db.close();
    expect(await pragma(file, 'page_size')).toBe(SQLITE_PAGE_SIZE);
  });

  it('rewrites a 4 KiB store with SQLITE_PAGE_SIZE pages, in WAL mode, every row kept', async () => {
    const file = await storeWith(fresh(), 4096);
    expect(await pragma(file, 'page_size')).toBe(4096);
    const rows = await sample(file);

    const started: Array<{ pageSize: number; bytes: number }> = [];
    const r = await vacuumSqlite(file, { onStart: (b) => started.push(b) });
    expect(r).toMatchObject({ file, pageSizeBefore: 4096, pageSizeAfter: SQLITE_PAGE_SIZE });
    expect(started).toEqual([{ pageSize: 4096, bytes: r.bytesBefore }]);
    expect(r.bytesAfter).toBeGreaterThan(0);
    expect(r.ms).toBeGreaterThan(0);

    expect(await pragma(file, 'page_size')).toBe(SQLITE_PAGE_SIZE);
    expect(await pragma(file, 'journal_mode')).toBe('wal');
    expect(await pragma(file, 'integrity_check')).toBe('ok');
    expect(await sample(file)).toBe(rows);
    // Free pages were given back: half the sample's rows were deleted before.
    expect(await pragma(file, 'freelist_count')).toBe(0);
  });

  it('refuses a store another connection holds, and leaves it as it was', async () => {
    const file = await storeWith(fresh(), 4096);
    const rows = await sample(file);
    const other = openDb({ engine: 'sqlite', filename: file });
    try {
      await other.knex.raw('SELECT count(*) FROM sample');
      const err = await vacuumSqlite(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as Error).message).toMatch(/is open in another process .*stop it and vacuum again/);
    } finally {
      await other.close();
    }
    expect(await pragma(file, 'page_size')).toBe(4096);
    expect(await pragma(file, 'journal_mode')).toBe('wal');
    expect(await sample(file)).toBe(rows);
  });

  it('a server on a 4 KiB store says once at start that vacuum would convert it; on the converted store it does not', async () => {
    const d = fresh();
    await storeWith(d, 4096);
    const startLines = async () => {
      const lines: string[] = [];
      const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
      const rt = await openRuntime(loadConfig({ TIDEMARK_DATA_DIR: d, TIDEMARK_LOG_LEVEL: 'info' }), {
        logger,
      });
      await rt.close();
      return lines.map((l) => JSON.parse(l) as { msg: string; pageSize?: number; newStores?: number });
    };
    const advice = (lines: Array<{ msg: string }>) => lines.filter((l) => l.msg.includes('tidemark vacuum'));
    const first = advice(await startLines());
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ pageSize: 4096, newStores: SQLITE_PAGE_SIZE });
    expect(first[0]!.msg).toMatch(
      /smaller pages than new stores: `tidemark vacuum`, with the server stopped, rewrites it/,
    );
    await vacuumSqlite(join(d, 'tidemark.sqlite'));
    expect(advice(await startLines())).toEqual([]);
  });

  it('names a missing store and a file that is not a database', async () => {
    const d = fresh();
    await expect(vacuumSqlite(join(d, 'nothing.sqlite'))).rejects.toThrow(NotFoundError);
    const junk = join(d, 'junk.sqlite');
    writeFileSync(
      junk,
      'this is not a database, but it is long enough to have a header of sorts\n'.repeat(100),
    );
    const err = await vacuumSqlite(junk).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`${junk} is not a SQLite database`);
  });
});
