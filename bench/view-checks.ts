/**
 * What the view-scope expectations cost on a big view: `days` daily runs of `entities`
 * rows each (one run per day, as a daily schedule writes them), then the next day's run,
 * not yet committed, checked as its commit would check it. Each check is timed two ways,
 * median of three, beside a baseline measured in the same process (a plain COUNT(*) of
 * the feature table):
 *
 *   whole view   no record of the last check: every statement of store/view-checks.sql.ts;
 *   from record  the last day's record (store/view-check-state.ts): the run's rows and
 *                their neighbours only (store/view-checks-delta.sql.ts).
 *
 *   npx tsx bench/view-checks.ts [entities=10000] [days=100]          (SQLite)
 *   TIDEMARK_TEST_ENGINE=postgres TEST_DATABASE_URL=... npx tsx bench/view-checks.ts
 */
import { loadavg } from 'node:os';
import { createTestDb } from '../test/support/db';
import { insertCommittedRun, insertRun, registerContract } from '../test/support/fixtures';
import { Store } from '../src/store/store';
import { T } from '../src/store/tables';
import type { ViewScope } from '../src/store/view-checks.sql';

const ENTITIES = Number(process.argv[2] ?? 10_000);
const DAYS = Number(process.argv[3] ?? 100);
const DAY = 86_400_000;

const db = await createTestDb();
const store = new Store(db);
try {
  await registerContract(store, 'country_daily', '1.0.0');
  const pg = db.engine === 'postgres';
  const view = { environment: 'dev' as const, contract: 'country_daily', major: 1 };
  await store.features.insertMany(
    (await insertCommittedRun(store, 999, { environment: 'dev' })).id,
    view,
    [],
  );
  const entities = pg
    ? `generate_series(0, ${ENTITIES - 1}) AS e(y)`
    : `(WITH RECURSIVE e(y) AS (SELECT 0 UNION ALL SELECT y + 1 FROM e WHERE y + 1 < ${ENTITIES}) SELECT y FROM e) e`;
  const writeDay = (runId: string, day: number) =>
    db.knex.raw(
      `INSERT INTO ${T.featureRows} (run_seq, view_id, entity_key, event_time, feature_values)
       SELECT (SELECT seq FROM ${T.runs} WHERE id = ?), (SELECT id FROM ${T.featureViews}),
         '"e' || ${pg ? "lpad(y::text, 6, '0')" : "substr('000000' || y, -6)"} || '"', ${day * DAY}, '{"v":1}'
       FROM ${entities}`,
      [runId],
    );
  let last = '';
  const t0 = Date.now();
  for (let day = 0; day < DAYS; day++) {
    last = (await insertCommittedRun(store, 1_000 + day, { environment: 'dev' })).id;
    await writeDay(last, day);
  }
  // A settled store, as autovacuum leaves one on PostgreSQL: statistics and the visibility
  // map (without it an index-only scan reads the table rows too).
  await db.knex.raw(pg ? 'VACUUM ANALYZE' : 'ANALYZE');
  const rows = ENTITIES * DAYS;
  console.log(
    `${db.engine}: ${rows} rows (${ENTITIES} entities × ${DAYS} days) loaded in ${Date.now() - t0} ms`,
  );

  const scopeOf = (runId: string): ViewScope => ({ ...view, runId, replaces: null, ownNewest: null });
  // The last day's checks leave the records a daily run finds; keep them to restore.
  const lastDay = store.viewChecks.reader(scopeOf(last));
  await lastDay.rowCount();
  await lastDay.duplicates(20);
  await lastDay.gaps(DAY, 20);
  const records = await db.knex(T.viewCheckState).select();
  const next = await insertRun(store, { status: 'running', startedAt: 2_000 });
  await writeDay(next.id, DAYS);

  const time = async (setUp: () => Promise<unknown>, f: () => Promise<unknown>): Promise<number> => {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      await setUp();
      const t = performance.now();
      await f();
      samples.push(performance.now() - t);
    }
    return samples.sort((a, b) => a - b)[1]!;
  };
  const none = () => db.knex(T.viewCheckState).delete();
  const restored = async () => {
    await none();
    await db.knex(T.viewCheckState).insert(records);
  };
  const baseline = await time(none, () => db.knex.raw(`SELECT COUNT(*) FROM ${T.featureRows}`));
  const reader = () => store.viewChecks.reader(scopeOf(next.id));
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['row_count_between', () => reader().rowCount()],
    ['compound_unique', () => reader().duplicates(20)],
    ['no_gaps', () => reader().gaps(DAY, 20)],
    ['fresh_within', () => reader().newestEventTime()],
  ];
  console.log(
    `baseline COUNT(*) of the table: ${baseline.toFixed(1)} ms; the run checked adds ${ENTITIES} rows`,
  );
  console.log(`${'check'.padEnd(18)} ${'whole view'.padStart(12)} ${'from record'.padStart(12)}  ratio`);
  for (const [name, f] of cases) {
    const whole = await time(none, f);
    const delta = await time(restored, f);
    console.log(
      `${name.padEnd(18)} ${whole.toFixed(1).padStart(9)} ms ${delta.toFixed(1).padStart(9)} ms  ×${(whole / delta).toFixed(1)}` +
        `  (${((whole * 1e6) / rows).toFixed(0)} ns a view row; ${((delta * 1e6) / ENTITIES).toFixed(0)} ns a run row)`,
    );
  }
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  // The store's own reader; the connection itself is closed by dispose (after its schema is dropped).
  await store.features.close().catch(() => undefined);
  await db.dispose();
}
