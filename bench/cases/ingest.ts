/**
 * Case 1, ingest: the dirty CSV through a full Tidemark run on SQLite (each run in
 * a fresh process on a fresh store), against the sqlite3 CLI's `.import` and
 * DuckDB's `read_csv` of the same file into a table of the same columns.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from '../lib/options';
import { scaled } from '../lib/options';
import { cached } from '../lib/cache';
import { runWorker } from '../lib/child';
import { ensureSqliteCli, runSqliteScript } from '../lib/sqlite-cli';
import { openDuck, lit } from '../lib/duck';
import { interleave } from '../lib/repeat';
import { measure, row, target, type CaseResult } from '../lib/result';
import { MB } from '../lib/rss';
import { median } from '../lib/stats';
import { INGEST_COLUMNS, INGEST_SQL_TYPES, writeIngestCsv, type IngestCsvInfo } from '../data/ingest-data';
import type { StageBreakdown } from '../lib/stage-timer';
import type { ProfileSummary } from '../lib/profile';

interface TidemarkIngest {
  ms: number;
  status: string;
  error: string | null;
  counts: { read: number; valid: number; rejected: number; written: number };
  peakRss: number;
  rssBefore: number;
  maxRss: number;
  stages: StageBreakdown;
  profile: ProfileSummary | null;
}

const BUDGET_MS = 120_000;

export async function ingestCase(o: BenchOptions): Promise<CaseResult> {
  const rows = scaled(1_000_000, o, 1000);
  let info: IngestCsvInfo | null = null;
  const csv = await cached(
    o.dataDir,
    `ingest-${rows}-s${o.seed}.csv`,
    async (p) => (info = await writeIngestCsv(p, rows, o.seed)),
  );
  const sqliteVersion = ensureSqliteCli();
  const work = mkdtempSync(join(tmpdir(), 'tidemark-bench-ingest-'));
  const duck = await openDuck();
  const tidemarkRuns: TidemarkIngest[] = [];
  try {
    const tidemark = async (profileDir: string | null = null) => {
      const r = await runWorker<TidemarkIngest>('ingest-tidemark.ts', [
        '--csv',
        csv,
        '--engine',
        'sqlite',
        '--pgUrl',
        o.pgUrl,
        '--profileDir',
        profileDir ?? '',
        '--name',
        'ingest-sqlite',
      ]);
      if (r.status !== 'succeeded') throw new Error(`Tidemark ingest ${r.status}: ${r.error}`);
      return r;
    };
    const samples = await interleave(
      [
        {
          name: 'tidemark',
          run: async () => {
            const r = await tidemark();
            tidemarkRuns.push(r);
            return r.ms;
          },
        },
        { name: 'sqlite3', run: async (i) => sqliteImport(csv, join(work, `import-${i}.sqlite`)) },
        { name: 'duckdb', run: async (i) => duckReadCsv(duck, csv, join(work, `duck-${i}.duckdb`)) },
      ],
      o.reps,
      BUDGET_MS,
    );
    const profile = o.profileDir ? (await tidemark(o.profileDir)).profile : null;
    const perSec = (ms: number[]) => ms.map((m) => rows / (m / 1000));
    const tm = measure(perSec(samples.get('tidemark')!), 'rows/s', 'higher');
    const sq = measure(perSec(samples.get('sqlite3')!), 'rows/s', 'higher');
    const dk = measure(perSec(samples.get('duckdb')!), 'rows/s', 'higher');
    const peak = measure(
      tidemarkRuns.map((r) => r.maxRss / MB),
      'MB',
      'lower',
    );
    const full = rows === 1_000_000;
    return {
      case: 'ingest',
      rows: [
        row(
          'ingest',
          `${label(rows)}-row CSV → SQLite, rows/s`,
          tm,
          { name: 'sqlite3 .import', m: sq },
          target('≥ 100k rows/s, ≤ 3×', tm.median >= 100_000 && sq.median / tm.median <= 3),
        ),
        row('ingest', `${label(rows)}-row CSV → SQLite, rows/s`, tm, { name: 'DuckDB read_csv', m: dk }),
        row(
          'ingest',
          'peak RSS of the ingest process',
          peak,
          undefined,
          full ? target('< 300 MB', peak.median < 300) : target('< 300 MB (at 1M rows)', peak.median < 300),
        ),
      ],
      details: {
        csv: { path: csv, rows, bytes: statSync(csv).size, generated: info },
        counts: tidemarkRuns[0]?.counts,
        stagesMs: medianStages(tidemarkRuns.map((r) => r.stages)),
        runsMs: samples.get('tidemark'),
        rssBeforeRunMB: median(tidemarkRuns.map((r) => r.rssBefore / MB)),
        sqlite3: { version: sqliteVersion, ms: samples.get('sqlite3') },
        duckdb: { version: duck.version, threads: duck.threads, ms: samples.get('duckdb') },
        profile,
      },
    };
  } finally {
    duck.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function sqliteImport(csv: string, dbFile: string): number {
  const cols = INGEST_COLUMNS.map((c) => `"${c}" ${INGEST_SQL_TYPES[c].sqlite}`).join(', ');
  // Same durability settings as Tidemark's own connection (WAL, synchronous=NORMAL).
  const script = [
    'PRAGMA journal_mode=WAL;',
    'PRAGMA synchronous=NORMAL;',
    `CREATE TABLE readings (${cols});`,
    `.import --csv --skip 1 '${csv}' readings`,
  ].join('\n');
  const { ms } = runSqliteScript(dbFile, script);
  rmSync(dbFile, { force: true });
  rmSync(`${dbFile}-wal`, { force: true });
  rmSync(`${dbFile}-shm`, { force: true });
  return ms;
}

async function duckReadCsv(
  duck: Awaited<ReturnType<typeof openDuck>>,
  csv: string,
  dbFile: string,
): Promise<number> {
  const cols = INGEST_COLUMNS.map((c) => `${lit(c)}: ${lit(INGEST_SQL_TYPES[c].duckdb)}`).join(', ');
  // A file-backed database and a checkpoint, so the table is on disk as it is for the others.
  await duck.conn.run(`ATTACH ${lit(dbFile)} AS bench_ingest`);
  const t0 = performance.now();
  await duck.conn.run(
    `CREATE TABLE bench_ingest.readings AS SELECT * FROM read_csv(${lit(csv)}, header = true, columns = {${cols}}, ignore_errors = true)`,
  );
  await duck.conn.run('CHECKPOINT bench_ingest');
  const ms = performance.now() - t0;
  await duck.conn.run('DETACH bench_ingest');
  rmSync(dbFile, { force: true });
  rmSync(`${dbFile}.wal`, { force: true });
  return ms;
}

function medianStages(list: StageBreakdown[]): StageBreakdown | null {
  if (list.length === 0) return null;
  const keys = Object.keys(list[0]!) as Array<keyof StageBreakdown>;
  return Object.fromEntries(keys.map((k) => [k, median(list.map((s) => s[k]))])) as unknown as StageBreakdown;
}

export function label(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);
}
