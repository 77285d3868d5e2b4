#!/usr/bin/env node
// Runs the whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is
// set. A PostgreSQL leg that was asked for never skips: if it cannot connect, the
// tests fail. Extra arguments are passed to vitest (e.g. a file filter).
//
// Files that never touch the engine (scripts/engine-free-tests.mjs: parsers, sketches,
// contract checks) give the same result on both legs, so the PostgreSQL leg skips them.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { engineFreeTests } from './engine-free-tests.mjs';

const args = process.argv.slice(2);
const legs = [{ engine: 'sqlite', exclude: [] }];
if (process.env.TEST_DATABASE_URL) legs.push({ engine: 'postgres', exclude: engineFreeTests(process.cwd()) });
else console.log('TEST_DATABASE_URL is not set: running the SQLite leg only.');

let passed = 0;
let failed = 0;
let skipped = 0;
let exitCode = 0;
for (const leg of legs) {
  console.log(`\n=== test leg: ${leg.engine} ===`);
  if (leg.exclude.length > 0)
    console.log(`(${leg.exclude.length} files that never touch the database ran in the first leg only)`);
  // A filter may pick only files this leg skips: nothing to run is then no failure.
  const mayBeEmpty = leg.exclude.length > 0 && args.length > 0;
  const report = `.vitest-report-${leg.engine}.json`;
  rmSync(report, { force: true });
  const r = spawnSync(
    'npx',
    [
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      ...leg.exclude.map((f) => `--exclude=${f}`),
      ...(mayBeEmpty ? ['--passWithNoTests'] : []),
      ...args,
    ],
    { stdio: 'inherit', env: { ...process.env, TIDEMARK_TEST_ENGINE: leg.engine } },
  );
  if (r.status !== 0) exitCode = r.status ?? 1;
  try {
    const j = JSON.parse(readFileSync(report, 'utf8'));
    passed += j.numPassedTests;
    failed += j.numFailedTests;
    skipped += j.numPendingTests + (j.numTodoTests ?? 0);
    if (j.numTotalTests === 0 && !mayBeEmpty) exitCode = exitCode || 1;
  } catch {
    exitCode = exitCode || 1;
    failed += 1;
  }
  rmSync(report, { force: true });
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(exitCode);
