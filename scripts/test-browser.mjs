#!/usr/bin/env node
// Runs the browser tests (test/e2e/**/*.browser.ts): headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) against real `tidemark serve` processes
// on SQLite. Named `.browser.ts` so the normal `vitest run` never picks them up; one
// file at a time. Screenshots of each step are kept in test-artifacts/browser/.
//
//   node scripts/test-browser.mjs            all browser files
//   node scripts/test-browser.mjs explorer   only files whose path contains the filter
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startVitest } from 'vitest/node';

if (!existsSync('/usr/bin/chromium')) {
  console.error('/usr/bin/chromium is missing: apt-get install -y chromium (.ci/run does), then run again.');
  process.exit(1);
}
// The servers under test serve console/dist: build it first when its sources changed.
const build = spawnSync(process.execPath, ['scripts/build-console.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const vitest = await startVitest('test', process.argv.slice(2), {
  run: true,
  watch: false,
  include: ['test/e2e/**/*.browser.ts'],
  fileParallelism: false,
  testTimeout: 60_000,
  hookTimeout: 90_000,
});
const files = vitest?.state.getFiles() ?? [];
const failed =
  !vitest ||
  files.length === 0 ||
  files.some((f) => f.result?.state === 'fail') ||
  vitest.state.getCountOfFailedTests() > 0;
await vitest?.close();
if (files.length === 0) console.error('no browser test files found');
process.exit(failed ? 1 : 0);
