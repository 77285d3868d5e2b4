/**
 * A SQLite transaction that reads before it writes must not fail because another
 * connection committed in between (a lease renewal, another process's write). With
 * knex's deferred BEGIN the write found a stale WAL snapshot and failed at once with
 * SQLITE_BUSY, whatever busy_timeout said: a CLI run's commit beside a server failed
 * as "the database is busy" now and then. SQLite only: PostgreSQL has row locks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/store/connection';
import { testEngine } from '../support/engine';
import { DEFERRED } from '../../src/store/sqlite-immediate';

describe.skipIf(testEngine() !== 'sqlite')('SQLite write transactions (BEGIN IMMEDIATE)', () => {
  let dir: string;
  let db: Db;
  let other: Knex;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tm-immediate-'));
    const filename = join(dir, 'db.sqlite');
    db = openDb({ engine: 'sqlite', filename });
    await db.knex.raw('CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    await db.knex('t').insert([
      { id: 1, n: 0 },
      { id: 2, n: 0 },
    ]);
    // Another writer on the same file, as a second process would be.
    other = knex({
      client: 'sqlite3',
      connection: { filename },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate: (
          conn: { exec(s: string, cb: (e: Error | null) => void): void },
          done: (e: Error | null, c: unknown) => void,
        ) => conn.exec('PRAGMA busy_timeout = 5000;', (e) => done(e, conn)),
      },
    });
  });
  afterEach(async () => {
    await other.destroy();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits a read-then-write transaction while another connection writes meanwhile', async () => {
    let otherWrite!: Promise<number>;
    await db.knex.transaction(async (trx) => {
      const before = (await trx('t').where({ id: 1 }).first('n')) as { n: number };
      // The other writer commits (deferred BEGIN) or waits for this commit (IMMEDIATE).
      // A knex builder runs only once awaited: start it now.
      otherWrite = Promise.resolve(other('t').where({ id: 2 }).update({ n: 7 }));
      await new Promise((r) => setTimeout(r, 200));
      await trx('t')
        .where({ id: 1 })
        .update({ n: before.n + 1 });
    });
    expect(await otherWrite).toBe(1);
    expect(await db.knex('t').orderBy('id').pluck('n')).toEqual([1, 7]);
  });

  it('starts every transaction of the pooled connection with the write lock', async () => {
    const seen: string[] = [];
    db.knex.on('query', (q: { sql: string }) => seen.push(q.sql));
    await db.knex.transaction(async (trx) => trx('t').first('n'));
    expect(seen[0]).toBe('BEGIN IMMEDIATE;');
    // Nested transactions stay savepoints inside the outer one.
    await db.knex.transaction(async (trx) => trx.transaction(async (inner) => inner('t').first('n')));
    expect(seen.filter((s) => s.startsWith('BEGIN'))).toEqual(['BEGIN IMMEDIATE;', 'BEGIN IMMEDIATE;']);
    expect(seen.some((s) => s.startsWith('SAVEPOINT'))).toBe(true);
    // A transaction that mostly reads (a run claim) asks to stay deferred.
    await db.knex.transaction(async (trx) => trx('t').first('n'), DEFERRED);
    expect(seen.filter((s) => s.startsWith('BEGIN'))).toEqual([
      'BEGIN IMMEDIATE;',
      'BEGIN IMMEDIATE;',
      'BEGIN;',
    ]);
  });
});
