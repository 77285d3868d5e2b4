#!/usr/bin/env node
// Runs the fault tests (test/faults/**/*.fault.ts) against the real PostgreSQL and
// Redis on this machine, one file at a time: each file starts several `tidemark serve`
// child processes and must not compete with the others for CPU. They are named
// `.fault.ts` so the normal `vitest run` (include test/**/*.test.ts) never picks them up.
//
// vitest 4's CLI has no --include flag, so this uses its Node API with the same
// vitest.config.ts (graphql alias, setup files) and the fault file glob instead.
//
//   node scripts/test-faults.mjs                  all fault files
//   node scripts/test-faults.mjs redis-outage     only files whose path contains the filter
//
// Each test appends what it observed to a report (one JSON line per fact); the runner
// prints it at the end as the table of docs/faults.md. FAULTS_KEEP=1 keeps the
// instances' logs and data directories under the system temp dir.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVitest } from 'vitest/node';

const filters = process.argv.slice(2);

// The services must be up (scripts/ensure-services.sh starts them); say so plainly rather
// than letting every test fail on a refused connection.
const services = {
  PostgreSQL:
    process.env.FAULTS_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/test',
  Redis: process.env.FAULTS_REDIS_URL ?? 'redis://127.0.0.1:6379',
};
for (const [name, url] of Object.entries(services)) {
  const { hostname, port } = new URL(url);
  const reachable = await new Promise((resolve) => {
    const s = net.connect(Number(port || (name === 'Redis' ? 6379 : 5432)), hostname);
    s.setTimeout(3000, () => (s.destroy(), resolve(false)));
    s.once('connect', () => (s.end(), resolve(true)));
    s.once('error', () => resolve(false));
  });
  if (!reachable) {
    console.error(
      `${name} is not reachable at ${url}: start it (bash scripts/ensure-services.sh) and run again.`,
    );
    process.exit(1);
  }
}
const report = join(tmpdir(), `tidemark-faults-${process.pid}.jsonl`);
rmSync(report, { force: true });
process.env.FAULTS_REPORT = report;

const vitest = await startVitest('test', filters, {
  run: true,
  watch: false,
  include: ['test/faults/**/*.fault.ts'],
  fileParallelism: false,
  testTimeout: 180_000,
  hookTimeout: 120_000,
  // A fault test drives several processes through timed outages on a shared 2-core
  // machine; one retry tells a flake from a defect, and the runner lists every retried
  // test after the table so a flake is seen, not hidden.
  retry: 1,
});
const files = vitest?.state.getFiles() ?? [];
const failed =
  !vitest ||
  files.length === 0 ||
  files.some((f) => f.result?.state === 'fail') ||
  vitest.state.getCountOfFailedTests() > 0;
const { failures, retried } = outcomes(files);
await vitest?.close();

if (existsSync(report)) {
  const rows = readFileSync(report, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  console.log('\n| fault | tried | observed |\n| --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.fault} | ${r.tried} | ${r.observed} |`.replace(/\n/g, ' '));
  rmSync(report, { force: true });
}
if (files.length === 0) console.error('no fault test files found');
// Said last, after the table, so the tail of a CI log names what failed and why.
if (retried.length > 0) {
  console.log(`\npassed only when retried (${retried.length}), a flake to look into:`);
  for (const r of retried) console.log(`  ${r}`);
}
if (failures.length > 0) {
  console.error(`\nfault tests that failed (${failures.length}):`);
  for (const f of failures) console.error(`  ${f}`);
}
process.exit(failed ? 1 : 0);

/** The failed tests (and failed files: a hook or an unhandled error) and the tests that passed on a retry. */
function outcomes(files) {
  const failures = [];
  const retried = [];
  const firstLine = (errors) => (errors?.[0]?.message ?? 'no message').split('\n')[0].slice(0, 300);
  const walk = (task, path) => {
    const name = [...path, task.name].join(' > ');
    if (task.type === 'test') {
      if (task.result?.state === 'fail') failures.push(`${name}: ${firstLine(task.result.errors)}`);
      else if ((task.result?.retryCount ?? 0) > 0)
        retried.push(`${name} (retries: ${task.result.retryCount})`);
      return;
    }
    for (const t of task.tasks ?? [])
      walk(t, task.type === 'suite' && task.filepath ? path : [...path, task.name]);
  };
  for (const f of files) {
    if (f.result?.state === 'fail' && f.result.errors?.length)
      failures.push(`${f.name}: ${firstLine(f.result.errors)}`);
    for (const t of f.tasks ?? []) walk(t, [f.name]);
  }
  return { failures, retried };
}
