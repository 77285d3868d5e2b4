import { afterEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { migrateLatest, migrateRollbackAll, migrateTo, migrationStatus } from '../../src/store/migrate';
import { T } from '../../src/store/tables';
import { testEngine } from '../support/engine';
import * as runWarnings from '../../migrations/20261204700002_run_warnings';

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

  it('records the newest event time of runs committed before it (freshness reads it)', async () => {
    db = await createTestDb();
    await migrateTo(db.knex, '20261127000005_run_precedence');
    await db.knex(T.contractVersions).insert({
      name: 'c',
      version: '1.0.0',
      major: 1,
      minor: 0,
      patch: 0,
      hash: 'h',
      owner: 'o',
      yaml: '',
      spec: '{}',
      created_at: 1,
      created_by: 't',
    });
    const run = (id: string, committed: number | null) => ({
      id,
      contract_name: 'c',
      contract_version: '1.0.0',
      contract_major: 1,
      contract_hash: 'h',
      environment: 'dev',
      trigger: 'manual',
      status: committed === null ? 'failed' : 'succeeded',
      code_version: 'test',
      created_by: 'test',
      queued_at: 1,
      committed_at: committed,
    });
    await db.knex(T.runs).insert([run('with_rows', 10), run('no_rows', 11), run('never_committed', null)]);
    const feature = (runId: string, entity: string, at: number) => ({
      run_id: runId,
      environment: 'dev',
      contract_name: 'c',
      contract_major: 1,
      entity_key: entity,
      event_time: at,
      feature_values: '{}',
    });
    await db
      .knex(T.featureRows)
      .insert([
        feature('with_rows', '"a"', 1_700_000_000_000),
        feature('with_rows', '"b"', 1_700_000_360_000),
        feature('with_rows', '"a"', 1_700_000_120_000),
        feature('never_committed', '"a"', 1_800_000_000_000),
      ]);

    await migrateTo(db.knex, '20261127000006_run_newest_event_time');

    const rows = await db.knex(T.runs).select('id', 'newest_event_time').orderBy('id');
    expect(
      rows.map((r) => [r.id, r.newest_event_time === null ? null : Number(r.newest_event_time)]),
    ).toEqual([
      ['never_committed', null],
      ['no_rows', null],
      ['with_rows', 1_700_000_360_000],
    ]);
  });

  it('counts the warnings of runs recorded before runs.warnings existed from their reports', async () => {
    db = await createTestDb();
    await runWarnings.down(db.knex);
    await db.knex(T.contractVersions).insert({
      name: 'c',
      version: '1.0.0',
      major: 1,
      minor: 0,
      patch: 0,
      hash: 'h',
      owner: 'o',
      yaml: '',
      spec: '{}',
      created_at: 1,
      created_by: 't',
    });
    const result = (severity: string, success: boolean) => ({ expect: 'mean_between', severity, success });
    const run = (id: string, results: unknown[] | null) => ({
      id,
      contract_name: 'c',
      contract_version: '1.0.0',
      contract_major: 1,
      contract_hash: 'h',
      environment: 'dev',
      trigger: 'manual',
      status: 'succeeded',
      code_version: 'test',
      created_by: 'test',
      queued_at: 1,
      validation: results === null ? null : JSON.stringify({ success: true, results }),
    });
    await db
      .knex(T.runs)
      .insert([
        run('two_warnings', [result('warn', false), result('warn', false), result('fail', true)]),
        run('held', [result('warn', true), result('reject', false)]),
        run('no_report', null),
      ]);

    await runWarnings.up(db.knex);

    const rows = await db.knex(T.runs).select('id', 'warnings').orderBy('id');
    expect(rows.map((r) => [r.id, Number(r.warnings)])).toEqual([
      ['held', 0],
      ['no_report', 0],
      ['two_warnings', 2],
    ]);
  });

  it.runIf(testEngine() === 'sqlite')('opens SQLite in WAL mode with a busy timeout', async () => {
    db = await createTestDb();
    const mode = await db.knex.raw('PRAGMA journal_mode');
    expect(mode[0].journal_mode).toBe('wal');
    const timeout = await db.knex.raw('PRAGMA busy_timeout');
    expect(Object.values(timeout[0])[0]).toBeGreaterThanOrEqual(1000);
  });
});
