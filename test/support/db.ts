/**
 * A fresh, migrated database for a test, on the engine of this leg: a temporary
 * SQLite file, or a new schema in the PostgreSQL database at TEST_DATABASE_URL.
 * Each call is isolated from every other, so test files can run in parallel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex from 'knex';
import { openDb, type Db } from '../../src/store/connection';
import { migrateLatest } from '../../src/store/migrate';
import { testEngine } from './engine';

export interface TestDb extends Db {
  /** Drops the schema or removes the file. */
  dispose(): Promise<void>;
}

let counter = 0;

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
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createPgDb(): Promise<TestDb> {
  const url = process.env.TEST_DATABASE_URL!;
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = knex({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await admin.raw('CREATE SCHEMA ??', [schema]);
  } catch (err) {
    throw new Error(`PostgreSQL test leg cannot connect to TEST_DATABASE_URL: ${(err as Error).message}`);
  } finally {
    await admin.destroy();
  }
  const db = openDb({ engine: 'postgres', url, schema, poolMax: 4 });
  return {
    ...db,
    dispose: async () => {
      await db.knex.raw('DROP SCHEMA ?? CASCADE', [schema]);
      await db.close();
    },
  };
}
