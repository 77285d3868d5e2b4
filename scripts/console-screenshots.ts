/**
 * The README's console screenshots, made the way the browser tests walk the console: a
 * real `tidemark serve` on a fresh SQLite store with the sample files, one run that
 * fails validation, headless Chromium (Debian's /usr/bin/chromium). Writes
 * docs/images/console-overview.png and docs/images/console-run.png, and (contractShots)
 * docs/images/console-contract-diff.png and docs/images/console-runs-timeline.png.
 *
 *   npm run screenshots
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/faults/support/instance';
import { gql, setUp, tearDown, type Setup } from '../test/e2e/support/server';
import { failingRun, SENSORS } from '../test/e2e/support/failing-run';

const OUT = join(REPO_ROOT, 'docs', 'images');

async function main(): Promise<void> {
  const build = spawnSync(process.execPath, ['scripts/build-console.mjs'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('the console did not build');
  mkdirSync(OUT, { recursive: true });
  let s: Setup | undefined;
  try {
    s = await setUp('screenshots', 'sqlite', {}, { samples: true });
    const { page } = s.b;
    const run = await failingRun(s);

    await page.setViewportSize({ width: 1280, height: 560 });
    await page.goto(`${s.server.baseUrl}/`);
    // Both sample files of country_daily have run, and the failed run is listed.
    await page
      .locator('tr[data-contract="country_daily"] ul.marks li:nth-child(2)')
      .waitFor({ timeout: 60_000 });
    await page.locator('tr[data-contract="sensor_readings"] ul.marks li').waitFor();
    renameSync(await s.b.shot('readme-overview'), join(OUT, 'console-overview.png'));

    // The run from its heading down to its rejected rows.
    await page.setViewportSize({ width: 1280, height: 1120 });
    await page.goto(`${s.server.baseUrl}/runs/${run.id}`);
    await page.locator('tr[data-row="2"]').waitFor();
    renameSync(await s.b.shot('readme-run'), join(OUT, 'console-run.png'));
    await contractShots(s);
    if (s.b.errors.length) throw new Error(`the page logged errors: ${s.b.errors.join('; ')}`);
    console.log(`wrote the console's pictures in ${join('docs', 'images')}`);
  } finally {
    await tearDown(s);
  }
}

/* --- The contract page's comparison and the runs timeline (issue 16) --- */

/** sensor_readings@2.0.0: the celsius minimum raised (breaking), a new optional column (additive). */
const SENSORS_V2 = SENSORS.replace('version: 1.0.0', 'version: 2.0.0').replace(
  'minimum: -50 }',
  'minimum: -40 }\n  - { name: site, type: string }',
);

async function contractShots(s: Setup): Promise<void> {
  const { page } = s.b;
  await gql(s.server, 'mutation($y: String!) { applyContract(yaml: $y) { status } }', { y: SENSORS_V2 });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${s.server.baseUrl}/contracts/sensor_readings?version=2.0.0`);
  await page.locator('tr[data-change]').first().waitFor();
  await page.locator('#diff-heading').evaluate((e) => e.scrollIntoView());
  renameSync(await s.b.shot('readme-contract-diff'), join(OUT, 'console-contract-diff.png'));

  await page.setViewportSize({ width: 1280, height: 560 });
  await page.goto(`${s.server.baseUrl}/runs?view=timeline`);
  await page.locator('[data-timeline] a[data-bar]').first().waitFor();
  renameSync(await s.b.shot('readme-runs-timeline'), join(OUT, 'console-runs-timeline.png'));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
