/**
 * The README's console screenshots, made the way the browser tests walk the console: a
 * real `tidemark serve` on a fresh SQLite store with the sample files, one run that
 * fails validation, headless Chromium (Debian's /usr/bin/chromium). Writes
 * docs/images/console-overview.png and docs/images/console-run.png, and (contractShots)
 * docs/images/console-contract-diff.png and docs/images/console-runs-timeline.png, and
 * (with a few pushed card transactions, one run of them rolled back) console-lineage.png
 * and console-explorer.png.
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

    // --- lineage graph and feature explorer (issue 16) ---
    await lineageAndExplorer(s);
    // --- end lineage and feature explorer ---

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

/**
 * Two card transaction runs, then a correction run rolled back: the lineage of
 * card_transactions, and the explorer with its slider back at the correction's commit.
 */
async function lineageAndExplorer(s: Setup): Promise<void> {
  const { page } = s.b;
  const card = 'card00000042';
  const txn = (hour: number, amount: number) => ({
    ts: new Date(Date.UTC(2024, 2, 1, hour)).toISOString(),
    card_id: card,
    amount,
    currency: 'EUR',
    card_present: hour % 2 === 0,
  });
  const ingest = async (records: unknown[]) =>
    (
      await gql<{ ingest: { id: string } }>(
        s.server,
        'mutation($r: [JSON!]!) { ingest(contract: "card_transactions", records: $r) { id } }',
        { r: records },
      )
    ).ingest.id;
  await ingest([txn(8, 12.5), txn(9, 40), txn(10, 18)]);
  await ingest([txn(11, 22), txn(12, 35)]);
  const correction = await ingest([txn(12, 95), txn(13, 60)]);
  await gql(s.server, 'mutation($id: ID!) { rollbackRun(id: $id) { status } }', { id: correction });

  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(`${s.server.baseUrl}/lineage?contract=card_transactions`);
  await page.locator('.lineage-canvas [data-node-id]').first().waitFor();
  renameSync(await s.b.shot('readme-lineage'), join(OUT, 'console-lineage.png'));

  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${s.server.baseUrl}/features?contract=card_transactions&entities=${card}`);
  const slider = page.getByLabel('As the store knew it at');
  await page.locator('tr[data-event-time]').first().waitFor();
  // Back to the correction's commit: one step left of its rollback, two of now.
  // The slider's moments load after the rows: step only once they are there, one at a time.
  await page.waitForFunction(
    `Number(document.querySelector('#known-at')?.getAttribute('max') ?? 0) >= 4`,
    undefined,
    { timeout: 30_000 },
  );
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await page.locator('#known-at-value', { hasText: `run ${correction} rolled back` }).waitFor();
  await page.keyboard.press('ArrowLeft');
  await page.locator('#known-at-value', { hasText: `run ${correction} committed` }).waitFor();
  await page.locator(`tr[data-run="${correction}"]`).first().waitFor();
  await page.evaluate('window.scrollTo(0, 0)');
  renameSync(await s.b.shot('readme-explorer'), join(OUT, 'console-explorer.png'));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
