/**
 * What the view-scope expectations cost on a big view: `days` daily runs of `entities`
 * rows each (one run per day, as a daily schedule writes them), then each statement of
 * the view reader (store/view-checks.sql.ts) timed, median of three, beside a baseline
 * measured in the same process: a plain COUNT(*) of the feature table.
 *
 *   npx tsx bench/view-checks.ts [entities=10000] [days=100]          (SQLite)
 *   TIDEMARK_TEST_ENGINE=postgres TEST_DATABASE_URL=... npx tsx bench/view-checks.ts
 */
import { loadavg } from 'node:os';
import { createTestDb } from '../test/support/db';
import { insertCommittedRun, registerContract } from '../test/support/fixtures';
import { Store } from '../src/store/store';
import { T } from '../src/store/tables';

const ENTITIES = Number(process.argv[2] ?? 10_000);
const DAYS = Number(process.argv[3] ?? 100);
const DAY = 86_400_000;

const db = await createTestDb();
const store = new Store(db);
try {
  await registerContract(store, 'country_daily', '1.0.0');
  const pg = db.engine === 'postgres';
  let last = '';
  const t0 = Date.now();
  for (let day = 0; day < DAYS; day++) {
    const run = await insertCommittedRun(store, 1_000 + day, { environment: 'dev' });
    last = run.id;
    if (day === 0)
      await store.features.insertMany(
        run.id,
        { environment: 'dev', contract: 'country_daily', major: 1 },
        [],
      );
    const entities = pg
      ? `generate_series(0, ${ENTITIES - 1}) AS e(y)`
      : `(WITH RECURSIVE e(y) AS (SELECT 0 UNION ALL SELECT y + 1 FROM e WHERE y + 1 < ${ENTITIES}) SELECT y FROM e) e`;
    await db.knex.raw(
      `INSERT INTO ${T.featureRows} (run_seq, view_id, entity_key, event_time, feature_values)
       SELECT (SELECT seq FROM ${T.runs} WHERE id = ?), (SELECT id FROM ${T.featureViews}),
         '"e' || ${pg ? "lpad(y::text, 6, '0')" : "substr('000000' || y, -6)"} || '"', ${day * DAY}, '{"v":1}'
       FROM ${entities}`,
      [run.id],
    );
  }
  await db.knex.raw('ANALYZE');
  const rows = ENTITIES * DAYS;
  console.log(
    `${db.engine}: ${rows} rows (${ENTITIES} entities × ${DAYS} days) loaded in ${Date.now() - t0} ms`,
  );
  const reader = () =>
    store.viewChecks.reader({
      environment: 'dev',
      contract: 'country_daily',
      major: 1,
      runId: last,
      replaces: null,
      ownNewest: null,
    });
  const time = async (f: () => Promise<unknown>): Promise<number> => {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await f();
      samples.push(performance.now() - t);
    }
    return samples.sort((a, b) => a - b)[1]!;
  };
  const baseline = await time(() => db.knex.raw(`SELECT COUNT(*) FROM ${T.featureRows}`));
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['row_count_between', () => reader().rowCount()],
    ['compound_unique', () => reader().duplicates(20)],
    ['no_gaps', () => reader().gaps(DAY, 20)],
    ['fresh_within', () => reader().newestEventTime()],
  ];
  console.log(`baseline COUNT(*) of the table: ${baseline.toFixed(1)} ms`);
  for (const [name, f] of cases) {
    const ms = await time(f);
    console.log(
      `${name.padEnd(18)} ${ms.toFixed(1).padStart(8)} ms  ×${(ms / baseline).toFixed(2)} baseline  ${((ms * 1e6) / rows).toFixed(0)} ns/row`,
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
