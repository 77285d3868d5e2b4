/**
 * What SQLite's page size does to a daily run on a grown store, in pages and time
 * (docs/benchmarks.md, case 5, "Pages of 32 KiB"): a store of `days` × `entities`
 * feature rows in the current layout, made with the given page size; then, for four
 * successive days, one index walk per entity for its newest four rows before the day
 * (as the history read does for a 5-row window, entities in key order; first with the
 * OS's file cache emptied when the process may, then again) and one commit
 * of the day's row for every entity, with checkpoints off so the WAL holds exactly
 * the pages the commit wrote.
 *
 *   npx tsx bench/page-sizes.ts [pageSize=32768] [entities=10000] [days=100]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { openDb } from '../src/store/connection';
import { migrateLatest } from '../src/store/migrate';
import { Store } from '../src/store/store';
import { insertCommittedRun, registerContract } from '../test/support/fixtures';

const PAGE = Number(process.argv[2] ?? 32_768);
const ENTITIES = Number(process.argv[3] ?? 10_000);
const DAYS = Number(process.argv[4] ?? 100);
const DAY = 86_400_000;

/** The SELECT producing rows (entity e, day d) for d in [from, to), day-major. */
function rows(runId: string, from: number, to: number): string {
  return `WITH RECURSIVE d(x) AS (SELECT ${from} UNION ALL SELECT x + 1 FROM d WHERE x + 1 < ${to}),
      e(y) AS (SELECT 0 UNION ALL SELECT y + 1 FROM e WHERE y + 1 < ${ENTITIES})
    SELECT (SELECT seq FROM runs WHERE id = '${runId}'), (SELECT id FROM feature_views),
      '"e' || substr('000000' || y, -6) || '"', x * ${DAY} + ((y * 7919) % 72000) * 1000,
      '{"value":' || ((x * 31 + y) % 1000) || ',"value_5":' || ((x * 17 + y) % 5000) || '}'
    FROM d, e ORDER BY x, y`;
}
const COLUMNS = 'run_seq, view_id, entity_key, event_time, feature_values';

function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((ok, fail) => db.exec(sql, (err) => (err ? fail(err) : ok())));
}
function all<R>(db: sqlite3.Database, sql: string): Promise<R[]> {
  return new Promise((ok, fail) => db.all(sql, (err, r) => (err ? fail(err) : ok(r as R[]))));
}
const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
const PRAGMAS = 'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;';

const dir = mkdtempSync(join(tmpdir(), 'tidemark-pages-'));
const file = join(dir, 'store.sqlite');
// The page size is fixed by the file's first page: set it before anything else does.
execFileSync('sqlite3', [file, `PRAGMA page_size = ${PAGE}; PRAGMA journal_mode = WAL;`]);
const handle = openDb({ engine: 'sqlite', filename: file });
await migrateLatest(handle.knex);
const store = new Store(handle);
await registerContract(store, 'country_daily', '1.0.0');
const load = await insertCommittedRun(store, 1_000, { id: 'run_' + 'a'.repeat(24) });
const days: string[] = [];
for (let i = 0; i < 4; i++)
  days.push((await insertCommittedRun(store, 2_000 + i, { id: `run_${String(i).repeat(24)}` })).id);
await handle
  .knex('feature_views')
  .insert({ environment: 'dev', contract_name: 'country_daily', contract_major: 1 });
await handle.close();

/** Empties the OS's file cache (root only), so a walk reads the file from disk; false when not allowed. */
function dropFileCache(): boolean {
  try {
    execFileSync('sh', ['-c', 'sync && echo 3 > /proc/sys/vm/drop_caches'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** One backward index walk per entity for its newest four rows before day `i`, in key order. */
async function walk(db: sqlite3.Database, i: number): Promise<number> {
  const t = process.hrtime.bigint();
  await all(
    db,
    `SELECT j.value, (SELECT json_group_array(event_time) FROM (SELECT event_time FROM feature_rows f
       WHERE f.view_id = 1 AND f.entity_key = j.value AND f.event_time < ${(DAYS + i) * DAY}
       ORDER BY event_time DESC LIMIT 4)) FROM json_each('${keys}') j`,
  );
  return since(t);
}

let db = new sqlite3.Database(file);
await exec(db, PRAGMAS);
await exec(db, `INSERT INTO feature_rows (${COLUMNS}) ${rows(load.id, 0, DAYS)}`);
await exec(db, 'PRAGMA wal_checkpoint(TRUNCATE)');
const pageSize = (await all<{ page_size: number }>(db, 'PRAGMA page_size'))[0]!.page_size;
const keys = JSON.stringify(Array.from({ length: ENTITIES }, (_, y) => `"e${String(y).padStart(6, '0')}"`));
const out: Array<Record<string, number>> = [];
for (let i = 0; i < days.length; i++) {
  // A fresh connection each day, as a run's own: its page cache starts empty.
  await new Promise((ok) => db.close(ok));
  db = new sqlite3.Database(file);
  await exec(db, PRAGMAS);
  const coldMs = dropFileCache() ? await walk(db, i) : NaN;
  const walkMs = await walk(db, i);
  const t = process.hrtime.bigint();
  await exec(
    db,
    `BEGIN; INSERT INTO feature_rows (${COLUMNS}) ${rows(days[i]!, DAYS + i, DAYS + i + 1)}; COMMIT;`,
  );
  const commitMs = since(t);
  const [wal] = await all<{ log: number }>(db, 'PRAGMA wal_checkpoint(PASSIVE)');
  await exec(db, 'PRAGMA wal_checkpoint(TRUNCATE)');
  out.push({
    coldWalkMs: Math.round(coldMs),
    walkMs: Math.round(walkMs),
    commitMs: Math.round(commitMs),
    commitPages: wal!.log,
    walMB: +((wal!.log * pageSize) / 1e6).toFixed(1),
  });
}
await new Promise((ok) => db.close(ok));
rmSync(dir, { recursive: true, force: true });
console.log(`page size ${pageSize}: ${ENTITIES} entities × ${DAYS} days, then 4 daily files`);
console.table(out);
