import { afterEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { migrateLatest, migrateRollbackAll, migrationStatus } from '../../src/store/migrate';
import { T } from '../../src/store/tables';
import { testEngine } from '../support/engine';

describe(`migrations (${testEngine()})`, () => {
  let db: TestDb;
  afterEach(() => db?.dispose());

  it('creates every table the design names, and is idempotent', async () => {
    db = await createTestDb();
    for (const table of Object.values(T)) {
      expect(await db.knex.schema.hasTable(table), table).toBe(true);
    }
    expect(await migrateLatest(db.knex)).toEqual([]);
    const status = await migrationStatus(db.knex);
    expect(status.pending).toEqual([]);
    expect(status.applied.length).toBeGreaterThan(0);
  });

  it('rolls back to an empty schema and forward again', async () => {
    db = await createTestDb();
    await migrateRollbackAll(db.knex);
    for (const table of Object.values(T)) expect(await db.knex.schema.hasTable(table)).toBe(false);
    await migrateLatest(db.knex);
    expect(await db.knex.schema.hasTable(T.featureRows)).toBe(true);
  });

  it('enforces foreign keys (a run must name a registered contract version)', async () => {
    db = await createTestDb();
    await expect(
      db.knex(T.runs).insert({
        id: 'r1',
        contract_name: 'nope',
        contract_version: '1.0.0',
        contract_major: 1,
        contract_hash: 'x',
        environment: 'dev',
        trigger: 'manual',
        status: 'queued',
        code_version: 'test',
        created_by: 'test',
        queued_at: 1,
      }),
    ).rejects.toThrow(/foreign key/i);
  });

  it.runIf(testEngine() === 'sqlite')('opens SQLite in WAL mode with a busy timeout', async () => {
    db = await createTestDb();
    const mode = await db.knex.raw('PRAGMA journal_mode');
    expect(mode[0].journal_mode).toBe('wal');
    const timeout = await db.knex.raw('PRAGMA busy_timeout');
    expect(Object.values(timeout[0])[0]).toBeGreaterThanOrEqual(1000);
  });
});
