/**
 * `npm run bench`: generates the data, runs each case against its baselines in this
 * one invocation, prints one table of medians and ratios, and writes the whole
 * result (samples, breakdowns, profiles) as JSON under bench/out/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseOptions, type CaseName, type BenchOptions } from './lib/options';
import { formatTable } from './lib/table';
import type { CaseResult } from './lib/result';
import { ingestCase } from './cases/ingest';
import { trainingCase } from './cases/training-set';
import { trainingBulkCase } from './cases/training-bulk';
import { onlineCase } from './cases/online-read';
import { onlineRedisCase } from './cases/online-redis';
import { eventsCase } from './cases/events';
import { underLoadCase } from './cases/reads-under-ingest';
import { dailyCase } from './cases/daily';
import { growthCase } from './cases/growth';
import { consoleCase } from './cases/console-pages';
import { profileCase } from './cases/profile';

const CASE_RUNNERS: Record<CaseName, (o: BenchOptions) => Promise<CaseResult>> = {
  ingest: ingestCase,
  training: trainingCase,
  'training-bulk': trainingBulkCase,
  online: onlineCase,
  'online-redis': onlineRedisCase,
  underload: underLoadCase,
  events: eventsCase,
  daily: dailyCase,
  growth: growthCase,
  console: consoleCase,
  profile: profileCase,
};

const o = parseOptions(process.argv.slice(2));
mkdirSync(o.outDir, { recursive: true });
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGB: Math.round(totalmem() / 1024 ** 3),
  node: process.version,
  loadAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
};
console.error(
  `bench: scale ${o.scale}, cases ${o.only.join(', ')}, ${machine.cpus} cores, ${machine.memoryGB} GB, Node ${machine.node}`,
);
if (machine.loadAtStart[0]! > machine.cpus) {
  console.error(
    `bench: warning: load average ${machine.loadAtStart[0]} exceeds ${machine.cpus} cores; timings will be noisy`,
  );
}

const results: CaseResult[] = [];
const started = Date.now();
for (const name of o.only) {
  const t0 = Date.now();
  console.error(`bench: ${name}...`);
  results.push(await CASE_RUNNERS[name](o));
  console.error(`bench: ${name} done in ${Math.round((Date.now() - t0) / 1000)} s`);
}

const table = formatTable(results);
console.log(table);
const report = {
  date: new Date().toISOString(),
  options: {
    scale: o.scale,
    seed: o.seed,
    reps: o.reps,
    only: o.only,
    engines: o.engines,
    profile: o.profileDir !== null,
  },
  machine: { ...machine, loadAtEnd: loadavg().map((l) => Math.round(l * 100) / 100) },
  durationSec: Math.round((Date.now() - started) / 1000),
  table,
  results,
};
const file = join(o.outDir, `bench-${report.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(report, null, 2));
writeFileSync(join(o.outDir, 'latest.json'), JSON.stringify(report, null, 2));
console.error(`bench: wrote ${file} (${report.durationSec} s)`);
