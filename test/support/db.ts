/**
 * A fresh, migrated database for a test, on the engine of this leg: a temporary
 * SQLite file, or a new schema in the PostgreSQL database at TEST_DATABASE_URL.
 * Each call is isolated from every other, so test files can run in parallel.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex from 'knex';
import { openDb, type Db, type DbOptions } from '../../src/store/connection';
import { migrateLatest } from '../../src/store/migrate';
import { testEngine } from './engine';
import { removeDir } from './remove-dir';

export interface TestDb extends Db {
  /** Drops the schema or removes the file. */
  dispose(): Promise<void>;
}

let counter = 0;

/**
 * Connection options for a fresh, empty database on this leg's engine, for code that
 * opens its own connection (openRuntime). Not migrated: the opener migrates.
 */
export interface TestDbOptions {
  options: DbOptions;
  /** Drops the schema or removes the file; call after the opener has closed. */
  dispose(): Promise<void>;
}

export async function createTestDbOptions(): Promise<TestDbOptions> {
  if (testEngine() === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-test-'));
    return {
      options: { engine: 'sqlite', filename: join(dir, 'test.sqlite') },
      dispose: async () => removeDir(dir),
    };
  }
  const url = process.env.TEST_DATABASE_URL!;
  const schema = await createPgSchema(url);
  return {
    // Some tests fake timers and jump minutes ahead: a real query timeout would fire.
    options: { engine: 'postgres', url, schema, poolMax: 4, queryTimeoutMs: 0 },
    dispose: () => withAdmin(url, (admin) => admin.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema])),
  };
}

export async function createTestDb(opts: { migrate?: boolean } = {}): Promise<TestDb> {
  const db = testEngine() === 'postgres' ? await createPgDb() : createSqliteDb();
  if (opts.migrate !== false) await migrateLatest(db.knex);
  return db;
}

function createSqliteDb(): TestDb {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-test-'));
  const db = openDb({ engine: 'sqlite', filename: join(dir, 'test.sqlite') });
  return {
    ...db,
    dispose: async () => {
      await db.close();
      removeDir(dir);
    },
  };
}

async function createPgSchema(url: string): Promise<string> {
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  try {
    await withAdmin(url, (admin) => admin.raw('CREATE SCHEMA ??', [schema]));
  } catch (err) {
    throw new Error(`PostgreSQL test leg cannot connect to TEST_DATABASE_URL: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return schema;
}

async function withAdmin(url: string, fn: (admin: knex.Knex) => Promise<unknown>): Promise<void> {
  const admin = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await fn(admin);
  } finally {
    await admin.destroy();
  }
}

async function createPgDb(): Promise<TestDb> {
  const url = process.env.TEST_DATABASE_URL!;
  const schema = await createPgSchema(url);
  const db = openDb({ engine: 'postgres', url, schema, poolMax: 4, queryTimeoutMs: 0 });
  return {
    ...db,
    dispose: async () => {
      await db.knex.raw('DROP SCHEMA ?? CASCADE', [schema]);
      await db.close();
    },
  };
}
