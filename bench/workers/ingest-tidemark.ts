/**
 * One Tidemark ingest in a fresh process: the CSV through a full run (acquire,
 * parse, cleanse, validate, transform, write, lineage) on a fresh store. Reports
 * the time, the counts, the peak RSS and where the time went.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { finish, workerArgs } from '../lib/child';
import { openBenchRuntime, type Engine } from '../lib/tidemark';
import { sampleRss } from '../lib/rss';
import { profiled } from '../lib/profile';
import { StageTimer } from '../lib/stage-timer';
import { INGEST_CONTRACT } from '../data/ingest-data';

const a = workerArgs();
const timer = new StageTimer();
const bench = await openBenchRuntime({
  engine: a.engine as Engine,
  pgUrl: a.pgUrl!,
  logger: timer.logger,
  contracts: [INGEST_CONTRACT],
  // `--profiles off`: the profile case's run without profiling (bench/cases/profile.ts).
  profile: a.profiles !== 'off',
});
const { rt } = bench;
const landing = join(rt.config.landingDir, 'bench_ingest');
await mkdir(landing, { recursive: true });
await copyFile(a.csv!, join(landing, 'data.csv'));
timer.instrument(rt);
global.gc?.();

timer.start();
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const { result: sampled, profile } = await profiled(a.profileDir || null, a.name ?? 'ingest', () =>
  sampleRss(() => rt.runs.trigger({ contract: 'bench_ingest', environment: 'dev', actor: 'bench' })),
);
const end = performance.now();
// CPU time of the run (all threads of this process): steadier than wall time on a loaded machine.
const cpu = process.cpuUsage(cpu0);
const run = sampled.result;
await finish({
  ms: end - t0,
  cpuMs: (cpu.user + cpu.system) / 1000,
  status: run.status,
  error: run.error,
  counts: run.counts,
  peakRss: sampled.peak,
  rssBefore: sampled.before,
  maxRss: process.resourceUsage().maxRSS * 1024,
  stages: timer.breakdown(end),
  profile,
});
await bench.dispose();
