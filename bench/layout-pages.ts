/**
 * What the feature table's layout costs SQLite, in pages rather than time (so a loaded
 * machine cannot blur it): a store of `days` × `entities` rows in the layout before the
 * lean-feature-rows migration and in the current one, then the size of the table and of
 * the point-in-time index (dbstat), and the pages one daily commit writes to the WAL
 * (one row for every entity, the next day; checkpoints off, frames counted).
 *
 *   npx tsx bench/layout-pages.ts [entities=10000] [days=100]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { openDb } from '../src/store/connection';
import { migrateLatest, migrateTo } from '../src/store/migrate';
import { Store } from '../src/store/store';
import { insertCommittedRun, registerContract } from '../test/support/fixtures';

const ENTITIES = Number(process.argv[2] ?? 10_000);
const DAYS = Number(process.argv[3] ?? 100);
const DAY = 86_400_000;
const OLD = '20261204700001_rejects_page_index';

type Layout = 'old' | 'lean';

/** The SELECT producing rows (entity e, day d) for d in [from, to), in the given layout. */
function rows(layout: Layout, runId: string, from: number, to: number): string {
  const head =
    layout === 'old'
      ? `'${runId}', 'dev', 'country_daily', 1`
      : `(SELECT seq FROM runs WHERE id = '${runId}'), (SELECT id FROM feature_views)`;
  return `WITH RECURSIVE d(x) AS (SELECT ${from} UNION ALL SELECT x + 1 FROM d WHERE x + 1 < ${to}),
      e(y) AS (SELECT 0 UNION ALL SELECT y + 1 FROM e WHERE y + 1 < ${ENTITIES})
    SELECT ${head}, '"e' || substr('000000' || y, -6) || '"', x * ${DAY} + ((y * 7919) % 72000) * 1000,
      '{"value":' || ((x * 31 + y) % 1000) || ',"value_5":' || ((x * 17 + y) % 5000) || '}'
    FROM d, e ORDER BY x, y`;
}

const columns = (layout: Layout) =>
  layout === 'old'
    ? 'run_id, environment, contract_name, contract_major, entity_key, event_time, feature_values'
    : 'run_seq, view_id, entity_key, event_time, feature_values';

function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((ok, fail) => db.exec(sql, (err) => (err ? fail(err) : ok())));
}
function all<R>(db: sqlite3.Database, sql: string): Promise<R[]> {
  return new Promise((ok, fail) => db.all(sql, (err, r) => (err ? fail(err) : ok(r as R[]))));
}

async function measure(layout: Layout): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-layout-'));
  const file = join(dir, 'store.sqlite');
  const handle = openDb({ engine: 'sqlite', filename: file });
  if (layout === 'old') await migrateTo(handle.knex, OLD);
  else await migrateLatest(handle.knex);
  const store = new Store(handle);
  await registerContract(store, 'country_daily', '1.0.0');
  const load = await insertCommittedRun(store, 1_000, { id: 'run_' + 'a'.repeat(24) });
  const daily = await insertCommittedRun(store, 2_000, { id: 'run_' + 'b'.repeat(24) });
  if (layout === 'lean') {
    await handle
      .knex('feature_views')
      .insert({ environment: 'dev', contract_name: 'country_daily', contract_major: 1 });
  }
  await handle.close();

  const db = new sqlite3.Database(file);
  await exec(db, 'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;');
  await exec(db, `INSERT INTO feature_rows (${columns(layout)}) ${rows(layout, load.id, 0, DAYS)}`);
  await exec(db, 'PRAGMA wal_checkpoint(TRUNCATE)');
  const stat = await all<{ name: string; pages: number; bytes: number }>(
    db,
    `SELECT name, count(*) AS pages, sum(payload) AS bytes FROM dbstat
     WHERE name IN ('feature_rows', 'feature_rows_pit') GROUP BY name`,
  );
  const started = Date.now();
  await exec(
    db,
    `BEGIN; INSERT INTO feature_rows (${columns(layout)}) ${rows(layout, daily.id, DAYS, DAYS + 1)}; COMMIT;`,
  );
  const ms = Date.now() - started;
  const [wal] = await all<{ log: number }>(db, 'PRAGMA wal_checkpoint(PASSIVE)');
  await new Promise((ok) => db.close(ok));
  rmSync(dir, { recursive: true, force: true });
  const of = (name: string) => stat.find((s) => s.name === name)!;
  const n = ENTITIES * DAYS;
  return {
    tablePages: of('feature_rows').pages,
    tableBytesPerRow: of('feature_rows').bytes / n,
    indexPages: of('feature_rows_pit').pages,
    indexBytesPerEntry: of('feature_rows_pit').bytes / n,
    dailyCommitWalPages: wal!.log,
    dailyCommitMs: ms,
  };
}

const out: Record<string, Record<string, number>> = {};
for (const layout of ['old', 'lean'] as const) out[layout] = await measure(layout);
console.log(`${ENTITIES} entities × ${DAYS} days`);
console.table(out);
