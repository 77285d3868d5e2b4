/**
 * The Tidemark Console walked in headless Chromium against a real `tidemark serve`
 * (SQLite in a temporary data directory, and again on a fresh PostgreSQL database when
 * TEST_DATABASE_URL is set; the example contracts and samples):
 * - the overview lists the example contracts with their freshness, without a page error;
 * - a run that fails validation shows its expectation's observed value and threshold,
 *   and its rejected rows with file and row number;
 * - a run started while the Runs page is open appears, then changes status, with no reload;
 * - with keys required, the console asks for a key, refuses a wrong one with the
 *   server's reason, reads with a good one (HTTP and WebSocket), and returns to the
 *   prompt when the key is revoked.
 * Screenshots of each step: test-artifacts/browser/console-*.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../faults/support/instance';
import { createKey, ENGINES, gql, setUp, tearDown, tidemark, type Setup } from './support/server';
import { failingRun } from './support/failing-run';

const cards = readFileSync(join(REPO_ROOT, 'seeds/data/card_transactions/sample.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .slice(0, 10)
  .map((l) => JSON.parse(l) as Record<string, unknown>);
let batch = 0;

/** An ingest over HTTP, as another client would send it; each a new run (new amounts). */
async function ingest(s: Setup, key?: string): Promise<string> {
  const records = cards.map((r) => ({ ...r, amount: Number(r.amount) + ++batch / 100 }));
  const data = await gql<{ ingest: { id: string } }>(
    s.server,
    'mutation($r: [JSON!]!) { ingest(contract: "card_transactions", records: $r) { id } }',
    { r: records },
    key,
  );
  return data.ingest.id;
}

/** Ingests until the new run's row shows on the page (the subscription may not be registered yet). */
async function ingestUntilListed(s: Setup, key?: string): Promise<string> {
  for (let i = 0; i < 10; i++) {
    const id = await ingest(s, key);
    const row = s.b.page.locator(`tr[data-run="${id}"]`);
    if (
      await row.waitFor({ timeout: 2_000 }).then(
        () => true,
        () => false,
      )
    )
      return id;
  }
  throw new Error('no ingested run appeared on the Runs page after 10 ingests');
}

async function rowText(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).replace(/\s+/g, ' ');
}

describe.each(ENGINES)('the console in Chromium, anonymous on loopback (%s)', (engine) => {
  let s: Setup;
  beforeAll(async () => {
    s = await setUp('console', engine, {}, { samples: true });
  });
  afterAll(() => tearDown(s));
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail')
      await s.b.shot(`console-failed-${engine}-${task.name.replace(/\W+/g, '-')}`);
  });

  it('lists the example contracts with their freshness on the overview', async () => {
    const { page } = s.b;
    await page.goto(`${s.server.baseUrl}/`);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    // The two sample files of country_daily run at start: wait for both runs' marks.
    const marks = page.locator('tr[data-contract="country_daily"] ul.marks li');
    await expect.poll(() => marks.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await s.b.shot(`console-1-overview-${engine}`);

    const country = await rowText(page, 'tr[data-contract="country_daily"]');
    // Its newest row is from 2020, far older than its SLA of two days: stale, said in words.
    expect(country).toMatch(/dev 1\.0\.0 ⚠ Stale: newest row [\d,]+ days old \(SLA 2 days\)/);
    expect(
      await page.locator('tr[data-contract="country_daily"] [data-freshness]').getAttribute('data-freshness'),
    ).toBe('stale');
    expect(country).toContain('succeeded');
    // Rows written and rejected by the last runs, as a small chart named with its numbers.
    const chart = page.locator('tr[data-contract="country_daily"] svg.rows-chart');
    expect(await chart.getAttribute('aria-label')).toMatch(
      /^Rows of the last \d+ runs of country_daily in dev, oldest first: written [\d,]+(, [\d,]+)+; rejected [\d,]+(, [\d,]+)+\.$/,
    );
    expect(await chart.locator('rect.bar-written').count()).toBe(await marks.count());
    const cardsRow = await rowText(page, 'tr[data-contract="card_transactions"]');
    expect(cardsRow).toMatch(/dev 1\.0\.0 ● Fresh: no rows yet \(SLA 1 hour\)/);
    // Needs attention lists the stale view first thing.
    expect(await rowText(page, 'section.attention')).toMatch(
      /⚠ Stale country_daily in dev: newest row [\d,]+ days old, SLA 2 days/,
    );
    // A page load without a failed request or script error (a missing icon, a bad asset, ...).
    expect(s.b.errors).toEqual([]);
  });

  it('shows a failed run: its expectation against the threshold and its rejected rows', async () => {
    const { page } = s.b;
    const triggerRun = await failingRun(s);
    expect(triggerRun.status).toBe('FAILED');

    // From the overview's "needs attention" to the run, by link, as a person would.
    await page.goto(`${s.server.baseUrl}/`);
    await page.locator('section.attention').getByRole('link', { name: triggerRun.id }).click();
    await page.getByRole('heading', { level: 2, name: 'Validation report' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/runs/${triggerRun.id}`);
    await page.locator('tr[data-row="2"]').waitFor();
    await s.b.shot(`console-2-failed-run-${engine}`);

    expect(await rowText(page, 'h1')).toContain('failed');
    expect(await rowText(page, 'p.error')).toContain(
      'Why it failed (validation): validation failed: mean_between(celsius)',
    );
    const mean = 'tr[data-expectation="mean_between(celsius)"]';
    expect(await rowText(page, mean)).toMatch(/did not hold mean_between\(celsius\) fail/);
    expect(await page.locator(`${mean} [data-cell="observed"]`).innerText()).toBe('87.5');
    expect(await page.locator(`${mean} [data-cell="threshold"]`).innerText()).toBe('min 0, max 40');
    expect(await rowText(page, 'tr[data-expectation="schema"]')).toMatch(
      /did not hold schema.*reject.*1 of 3 33\.33%/,
    );

    const reject = await rowText(page, 'tr[data-row="2"]');
    expect(reject).toContain('hot.csv 2 celsius must be >= -50 (schema, celsius)');
    expect(await rowText(page, '#rejects-heading')).toBe('Rejected rows (1)');
    // Where its time went: the stages it reached before validation failed it, with their rows.
    expect(
      await page
        .locator('table.stages tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-stage'))),
    ).toEqual(['read', 'history', 'validate']);
    expect(await rowText(page, 'tr[data-stage="read"]')).toMatch(/^read (< 1 ms|\d+ ms|[\d.]+ s) \d+% 3 /);
    expect(await rowText(page, 'tr[data-stage="validate"]')).toMatch(/ 3 /);
    expect(await rowText(page, '#batches-heading')).toBe('Raw batches (1)');
    expect(await rowText(page, 'section:has(#batches-heading) tbody')).toMatch(
      /csv .*hot\.csv [0-9a-f]{64} 100 B/,
    );

    // The Runs page filtered to failed runs (by the server) lists it alone, and says so in the address.
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Runs' }).click();
    await page.getByLabel('Status').selectOption('FAILED');
    await expect.poll(() => page.locator('tbody tr[data-run]').count()).toBe(1);
    expect(new URL(page.url()).search).toBe('?status=FAILED');
    expect(await rowText(page, `tr[data-run="${triggerRun.id}"]`)).toContain(
      'failed validation failed: mean_between(celsius) sensor_readings@1.0.0 dev manual',
    );
    expect(await rowText(page, '#runs-count')).toMatch(/^Runs 1–1 of 1, newest first\./);
    expect(s.b.errors).toEqual([]);
  });

  it("pages through a run's rejected rows: next, last, previous and first, each saying where it is", async () => {
    const { page } = s.b;
    const at = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    // 60 rejected (a negative amount) among 70 records: three pages of 25.
    const records = Array.from({ length: 70 }, (_, i) => ({
      ts: at(70 - i),
      card_id: 'cardPager',
      amount: i < 60 ? -1 - i : 10 + i,
      currency: 'EUR',
      merchant_category: 'groceries',
      card_present: true,
    }));
    const { ingest } = await gql<{ ingest: { id: string; status: string; rowsRejected: number } }>(
      s.server,
      'mutation($r: [JSON!]!) { ingest(contract: "card_transactions", records: $r) { id status rowsRejected } }',
      { r: records },
    );
    expect(ingest).toMatchObject({ status: 'SUCCEEDED', rowsRejected: 60 });
    await page.goto(`${s.server.baseUrl}/runs/${ingest.id}`);
    const range = page.locator('#rejects-range');
    const pager = page.getByRole('navigation', { name: 'Pages of rejected rows' });
    const rows = () =>
      page
        .locator('table.rejects tbody tr')
        .evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-row'))));
    await expect.poll(() => range.innerText()).toBe('Rows 1–25 of 60');
    // The profiles of what it stored: the 10 accepted amounts, 70 to 79.
    expect((await rowText(page, 'tr[data-profile="column:amount"]')).trim()).toBe(
      'amount column 10 0 (0.00%) 10 70 74 74.50 79',
    );
    expect(
      await page.locator('tr[data-profile="column:amount"] svg.histogram').getAttribute('aria-label'),
    ).toMatch(/^histogram: 70–70\.45: 1; 70\.45–70\.90: 0; /);
    expect((await rowText(page, 'tr[data-profile="column:currency"]')).trim()).toMatch(
      /currency column 10 0 \(0\.00%\) 1 .* EUR \(10\)$/,
    );
    expect(await page.locator('tr[data-profile^="feature:"]').count()).toBe(6);
    await page.locator('#profiles-heading').scrollIntoViewIfNeeded();
    await s.b.shot(`console-9-run-profiles-${engine}`);
    expect(await pager.getByRole('button', { name: '← Previous' }).isDisabled()).toBe(true);
    expect(await rows()).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    await pager.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(() => range.innerText()).toBe('Rows 26–50 of 60');
    expect(await rows()).toEqual(Array.from({ length: 25 }, (_, i) => i + 26));
    await pager.getByRole('button', { name: 'Last ⇥' }).click();
    await expect.poll(() => range.innerText()).toBe('Rows 36–60 of 60');
    expect(await rows()).toEqual(Array.from({ length: 25 }, (_, i) => i + 36));
    expect(await pager.getByRole('button', { name: 'Next →' }).isDisabled()).toBe(true);
    await pager.scrollIntoViewIfNeeded();
    await s.b.shot(`console-8-rejects-last-page-${engine}`);
    await pager.getByRole('button', { name: '← Previous' }).click();
    await expect.poll(() => range.innerText()).toBe('Rows 11–35 of 60');
    expect(await rows()).toEqual(Array.from({ length: 25 }, (_, i) => i + 11));
    await pager.getByRole('button', { name: '⇤ First' }).click();
    await expect.poll(() => range.innerText()).toBe('Rows 1–25 of 60');
    expect(s.b.errors).toEqual([]);
  });

  it('shows a run started while the Runs page is open, then its status change, without a reload', async () => {
    const { page } = s.b;
    await page.goto(`${s.server.baseUrl}/runs?contract=card_transactions`);
    await page.locator('[data-live="on"]').waitFor({ timeout: 10_000 });
    // Anything that reloads the page drops this mark.
    await page.evaluate('window.stayed = true');

    const id = await ingestUntilListed(s);
    const row = `tr[data-run="${id}"]`;
    await expect
      .poll(() => rowText(page, row), { timeout: 10_000 })
      .toMatch(/succeeded card_transactions@1\.0\.0 dev push/);
    await s.b.shot(`console-3-runs-live-${engine}`);

    await gql(s.server, 'mutation($id: ID!) { rollbackRun(id: $id) { status } }', { id });
    await expect.poll(() => rowText(page, row), { timeout: 10_000 }).toContain('rolled back');
    await s.b.shot(`console-4-runs-rolled-back-${engine}`);
    expect(await page.evaluate('window.stayed')).toBe(true);
    expect(s.b.errors).toEqual([]);
  });
});

describe.each(ENGINES)('the console in Chromium, keys required (%s)', (engine) => {
  let s: Setup;
  let key: string;
  beforeAll(async () => {
    s = await setUp('console-keys', engine, { TIDEMARK_AUTH: 'required' });
    key = await createKey(s.storeEnv, 'reader');
  });
  afterAll(() => tearDown(s));
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail')
      await s.b.shot(`console-failed-${engine}-${task.name.replace(/\W+/g, '-')}`);
  });

  it('asks for a key, refuses a wrong one with the reason, and reads with a good one', async () => {
    const { page } = s.b;
    await page.goto(`${s.server.baseUrl}/`);
    await page.getByRole('heading', { level: 1, name: 'API key' }).waitFor();
    expect(await rowText(page, 'main')).toContain('This server requires an API key. Enter one to continue.');

    await page.getByLabel('API key').fill('tmk_aaaaaaaaaaaa_wrongwrongwrongwrongwrongwrongwrongwrongwro');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByText('The server refused this key').waitFor();
    await s.b.shot(`console-5-key-refused-${engine}`);

    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await page.locator('tr[data-contract="country_daily"]').waitFor();
    // Kept for this tab's session only.
    expect(await page.evaluate("sessionStorage.getItem('tidemark.apiKey')")).toBe(key);
    expect(await page.evaluate('localStorage.length')).toBe(0);
  });

  it('follows runs live with the key on the WebSocket', async () => {
    const { page } = s.b;
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.locator('[data-live="on"]').waitFor({ timeout: 10_000 });
    const admin = await createKey(s.storeEnv, 'writer');
    const id = await ingestUntilListed(s, admin);
    await expect
      .poll(() => rowText(page, `tr[data-run="${id}"]`), { timeout: 10_000 })
      .toContain('succeeded');
    await s.b.shot(`console-6-keys-runs-live-${engine}`);
  });

  it('returns to the prompt with a clear message once the key is revoked', async () => {
    const { page } = s.b;
    await tidemark(s.storeEnv, ['keys', 'revoke', /^tmk_([a-z0-9]{12})_/.exec(key)![1]!]);
    // Two paths reach the prompt and both must: the open WebSocket closes (4403) within the
    // key recheck, or a navigation asks over HTTP (401). When the socket wins, the navigation
    // link is already gone, so the click is only tried while the link is still there.
    const prompt = page.getByRole('heading', { level: 1, name: 'API key' });
    const overview = page.getByRole('link', { name: 'Overview' });
    await overview.or(prompt).first().waitFor();
    if (!(await prompt.isVisible())) await overview.click({ timeout: 2_000 }).catch(() => undefined);
    await prompt.waitFor({ timeout: 15_000 });
    expect(await rowText(page, 'main')).toMatch(/The server refused the key: .+\. Enter another key\./);
    expect(await page.evaluate("sessionStorage.getItem('tidemark.apiKey')")).toBeNull();
    await s.b.shot(`console-7-key-revoked-${engine}`);
  });
});
