/**
 * A full disk, for real where the engine allows it. SQLite: `PRAGMA max_page_count` set
 * to the pages the file has, so any write that needs a new page fails with the same
 * SQLITE_FULL a full file system gives. PostgreSQL cannot be capped that way without a
 * small file system under a tablespace, so a trigger raises exactly what the server
 * raises when it cannot extend a table file (SQLSTATE 53100 disk_full, its message and
 * hint), through the real driver and the real statements.
 */
import type { Knex } from 'knex';
import knex from 'knex';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir } from './remove-dir';

/** PostgreSQL's own words for a table file it cannot extend (md.c mdextend). */
export const PG_DISK_FULL_MESSAGE = 'could not extend file "base/16384/16397": No space left on device';

/**
 * From now on the database refuses to grow. SQLite: every table (`pgTables` is ignored:
 * writes that fit in pages it has already still succeed, as on a real full disk).
 * PostgreSQL: inserts into `pgTables` fail.
 */
export async function fillDatabase(db: Knex, engine: string, pgTables: string[]): Promise<void> {
  if (engine === 'sqlite') {
    const rows = (await db.raw('PRAGMA page_count')) as Array<{ page_count: number }>;
    await db.raw(`PRAGMA max_page_count = ${Number(rows[0]!.page_count)}`);
    return;
  }
  await db.raw(`CREATE OR REPLACE FUNCTION tm_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '${PG_DISK_FULL_MESSAGE}' USING ERRCODE = 'disk_full', HINT = 'Check free disk space.';
    END $$`);
  for (const t of pgTables)
    await db.raw(
      `CREATE TRIGGER tm_disk_full BEFORE INSERT ON ?? FOR EACH STATEMENT EXECUTE FUNCTION tm_disk_full()`,
      [t],
    );
}

/** Space is back: the cap lifted, the triggers dropped. */
export async function freeDatabase(db: Knex, engine: string, pgTables: string[]): Promise<void> {
  if (engine === 'sqlite') {
    await db.raw('PRAGMA max_page_count = 1073741823');
    return;
  }
  for (const t of pgTables) await db.raw('DROP TRIGGER IF EXISTS tm_disk_full ON ??', [t]);
}

/** The error SQLite itself raises when a database file cannot grow, through knex. */
export async function sqliteFullError(): Promise<Error> {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-full-'));
  const db = knex({
    client: 'sqlite3',
    connection: { filename: join(dir, 'full.sqlite') },
    useNullAsDefault: true,
    pool: { min: 1, max: 1 },
  });
  try {
    await db.raw('CREATE TABLE t (x TEXT)');
    await fillDatabase(db, 'sqlite', []);
    await db('t').insert({ x: 'x'.repeat(100_000) });
    throw new Error('expected SQLITE_FULL');
  } catch (err) {
    return err as Error;
  } finally {
    await db.destroy();
    removeDir(dir);
  }
}

/** The error pg hands over when PostgreSQL reports disk_full (on the PostgreSQL leg). */
export async function pgDiskFullError(url: string): Promise<Error> {
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await db.raw(`DO $$ BEGIN
      RAISE EXCEPTION '${PG_DISK_FULL_MESSAGE}' USING ERRCODE = 'disk_full', HINT = 'Check free disk space.';
    END $$`);
    throw new Error('expected disk_full');
  } catch (err) {
    return err as Error;
  } finally {
    await db.destroy();
  }
}
