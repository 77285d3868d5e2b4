/**
 * Case 6, daily: an incremental run into a store that already holds data, as every
 * daily pipeline is. The store holds 100 days of one row per entity (1M feature rows
 * over 10,000 entities at scale 1; 10M over 100,000 at scale 10) under a contract
 * with a 5-row window feature; the next day's file, 10,000 rows touching 10,000
 * entities spread over the store (fewer below scale 1, never more), goes through a
 * full run. Baseline: the same file through the same run into an empty store. Each
 * repetition lands the next day, on both sides, so the store grows as it would.
 * Target: the incremental run within 2× of the empty one, on SQLite and PostgreSQL:
 * a run costs what it brings, however much the store holds.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchOptions } from '../lib/options';
import { scaled } from '../lib/options';
import { interleave } from '../lib/repeat';
import { measure, row, target, type CaseResult, type ResultRow } from '../lib/result';
import { StageTimer, type StageBreakdown } from '../lib/stage-timer';
import {
  applyContracts,
  openBenchRuntime,
  pgReachable,
  type BenchRuntime,
  type Engine,
} from '../lib/tidemark';
import { DAILY_CONTRACT, writeDailyCsv } from '../data/daily-data';
import { loadDailyStore } from '../data/daily-store';
import type { LoadStats } from '../data/feature-store';
import { label } from './ingest';

const DAYS = 100;
const BUDGET_MS = 300_000;

/** The daily files: `touched` of the store's `entities`, one row each. */
interface DailyFile {
  entities: number;
  touched: number;
  seed: number;
}

interface Side {
  b: BenchRuntime;
  timer: StageTimer;
}

export async function dailyCase(o: BenchOptions): Promise<CaseResult> {
  const entities = scaled(10_000, o, 100);
  const touched = Math.min(entities, scaled(10_000, { ...o, scale: Math.min(1, o.scale) }, 100));
  const file: DailyFile = { entities, touched, seed: o.seed };
  const rows: ResultRow[] = [];
  const details: Record<string, unknown> = { entities, storeRows: entities * DAYS, fileRows: touched };
  for (const engine of o.engines) {
    if (engine === 'postgres' && !(await pgReachable(o.pgUrl))) {
      details.postgres = `skipped: no PostgreSQL at ${o.pgUrl}`;
      continue;
    }
    const leg = await measureLeg(o, engine, file);
    const ratio = leg.incremental.median / leg.empty.median;
    rows.push(
      row(
        'daily',
        `${label(touched)}-row daily file into ${label(entities * DAYS)} rows, ${engine === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`,
        leg.incremental,
        { name: 'same file, empty store', m: leg.empty },
        target('≤ 2×', ratio <= 2),
      ),
    );
    details[engine] = { load: leg.load, stagesMs: leg.stages };
  }
  return { case: 'daily', rows, details };
}

async function measureLeg(o: BenchOptions, engine: Engine, file: DailyFile) {
  const full = await openSide(engine, o);
  let load: LoadStats;
  try {
    load = await loadDailyStore(full.b.rt, file.entities, DAYS, o.seed);
    // A store at rest, as a daily pipeline finds it the next day: PostgreSQL vacuumed and
    // analysed as autovacuum leaves it, SQLite's WAL checkpointed (else the first run pays
    // for copying the whole load). SQLite gets no statistics: Tidemark never runs ANALYZE,
    // so its plans must hold without.
    const db = full.b.rt.store.db;
    await db.raw(engine === 'postgres' ? 'VACUUM ANALYZE' : 'PRAGMA wal_checkpoint(TRUNCATE)');
    const stages: Record<'incremental' | 'empty', DayBreakdown[]> = { incremental: [], empty: [] };
    const emptyRun = async (day: number, keep: boolean) => {
      const side = await openSide(engine, o);
      try {
        await applyContracts(side.b.rt, [DAILY_CONTRACT]);
        const { ms, breakdown } = await runDay(side, day, file);
        if (keep) stages.empty.push(breakdown);
        return ms;
      } finally {
        await side.b.dispose();
      }
    };
    // Warm the code paths (JIT, module loads) on an unmeasured run.
    await emptyRun(DAYS, false);
    const samples = await interleave(
      [
        {
          name: 'incremental',
          run: async (rep) => {
            const { ms, breakdown } = await runDay(full, DAYS + rep, file);
            stages.incremental.push(breakdown);
            return ms;
          },
        },
        { name: 'empty', run: (rep) => emptyRun(DAYS + rep, true) },
      ],
      o.reps,
      BUDGET_MS,
    );
    return {
      load,
      stages,
      incremental: measure(samples.get('incremental')!, 'ms', 'lower'),
      empty: measure(samples.get('empty')!, 'ms', 'lower'),
    };
  } finally {
    await full.b.dispose();
  }
}

async function openSide(engine: Engine, o: BenchOptions): Promise<Side> {
  const timer = new StageTimer();
  const b = await openBenchRuntime({ engine, pgUrl: o.pgUrl, logger: timer.logger });
  timer.instrument(b.rt);
  return { b, timer };
}

type DayBreakdown = StageBreakdown & { cpuMs: number; runStagesMs: Record<string, number> };

/** Lands day `day`'s file alone in the landing directory and triggers the contract's run. */
async function runDay(
  side: Side,
  day: number,
  file: DailyFile,
): Promise<{ ms: number; breakdown: DayBreakdown }> {
  const { rt } = side.b;
  const landing = join(rt.config.landingDir, 'bench_daily');
  await rm(landing, { recursive: true, force: true });
  await mkdir(landing, { recursive: true });
  await writeDailyCsv(join(landing, `day-${day}.csv`), file.entities, file.touched, day, file.seed);
  global.gc?.();
  side.timer.start();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const run = await rt.runs.trigger({ contract: 'bench_daily', environment: 'dev', actor: 'bench' });
  const end = performance.now();
  if (run.status !== 'succeeded') throw new Error(`daily run of day ${day} ${run.status}: ${run.error}`);
  if (run.counts.written !== file.touched)
    throw new Error(`daily run of day ${day} wrote ${run.counts.written} rows`);
  // CPU of the whole process, SQLite's worker threads included: on a busy machine the
  // wall time also counts waiting for a core.
  const used = process.cpuUsage(cpu);
  return {
    ms: end - t0,
    breakdown: {
      ...side.timer.breakdown(end),
      cpuMs: Math.round((used.user + used.system) / 1000),
      // The run's own record of its stages: what the write above is made of.
      runStagesMs: Object.fromEntries((run.stages ?? []).map((s) => [s.name, Math.round(s.ms)])),
    },
  };
}
