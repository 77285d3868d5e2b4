/**
 * Case 8, profile: what storing a run's profiles costs. The 1M-row ingest of case 1
 * (same CSV, same contract, each run in a fresh process on a fresh SQLite store) with
 * profiling on and with it off (an internal runtime switch only this case sets),
 * interleaved in the same bench run. Profiling's share = (on − off) / on; target ≤ 10 %.
 */
import type { BenchOptions } from '../lib/options';
import { scaled } from '../lib/options';
import { cached } from '../lib/cache';
import { runWorker } from '../lib/child';
import { interleave } from '../lib/repeat';
import { measure, row, target, type CaseResult } from '../lib/result';
import { median } from '../lib/stats';
import { writeIngestCsv } from '../data/ingest-data';
import type { StageBreakdown } from '../lib/stage-timer';
import type { ProfileSummary } from '../lib/profile';
import { label } from './ingest';

interface TidemarkIngest {
  ms: number;
  cpuMs: number;
  status: string;
  error: string | null;
  stages: StageBreakdown;
  profile: ProfileSummary | null;
}

const BUDGET_MS = 240_000;

export async function profileCase(o: BenchOptions): Promise<CaseResult> {
  const rows = scaled(1_000_000, o, 1000);
  const csv = await cached(o.dataDir, `ingest-${rows}-s${o.seed}.csv`, (p) =>
    writeIngestCsv(p, rows, o.seed),
  );
  const ingest = async (profiles: 'on' | 'off', profileDir: string | null = null) => {
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
      `profile-${profiles}`,
      '--profiles',
      profiles,
    ]);
    if (r.status !== 'succeeded')
      throw new Error(`Tidemark ingest (profiles ${profiles}) ${r.status}: ${r.error}`);
    return r;
  };
  const stages: Record<'on' | 'off', StageBreakdown[]> = { on: [], off: [] };
  const cpu: Record<'on' | 'off', number[]> = { on: [], off: [] };
  const subject = (p: 'on' | 'off') => ({
    name: p,
    run: async () => {
      const r = await ingest(p);
      stages[p].push(r.stages);
      cpu[p].push(r.cpuMs);
      return r.ms;
    },
  });
  const samples = await interleave([subject('on'), subject('off')], o.reps, BUDGET_MS);
  const on = samples.get('on')!;
  const off = samples.get('off')!;
  // Paired by repetition (on and off ran back to back), so a load change hits both.
  const shares = on
    .map((ms, i) => (off[i] === undefined ? NaN : ((ms - off[i]!) / ms) * 100))
    .filter(Number.isFinite);
  const share = measure(shares, '%', 'lower');
  const cpuShare = ((median(cpu.on) - median(cpu.off)) / median(cpu.on)) * 100;
  const cpuProfile = o.profileDir ? (await ingest('on', o.profileDir)).profile : null;
  return {
    case: 'profile',
    rows: [
      row('profile', `${label(rows)}-row ingest, run time with profiles (ms)`, measure(on, 'ms', 'lower'), {
        name: 'profiling off',
        m: measure(off, 'ms', 'lower'),
      }),
      row(
        'profile',
        "profiling's share of the run time",
        share,
        undefined,
        target('≤ 10 %', share.median <= 10),
      ),
      row('profile', "profiling's share of the run's CPU time", measure([cpuShare], '%', 'lower')),
    ],
    details: {
      rows,
      onMs: on,
      offMs: off,
      sharePct: shares,
      shareOfMediansPct: ((median(on) - median(off)) / median(on)) * 100,
      stagesOn: stages.on,
      stagesOff: stages.off,
      // CPU time of the run's process (steadier than wall time when other work shares the cores).
      cpuMsOn: cpu.on,
      cpuMsOff: cpu.off,
      cpuSharePct: cpuShare,
      profile: cpuProfile,
    },
  };
}
