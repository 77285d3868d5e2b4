/**
 * The console's contract page, runs filters and timeline, and expectation history,
 * walked in headless Chromium against a real `tidemark serve` on SQLite (and on
 * PostgreSQL when TEST_DATABASE_URL is set):
 * - two versions applied from the page (pasted YAML, confirmed), compared side by side:
 *   the removed column is a breaking change (rule column.removed) that needs a major bump;
 *   an invalid YAML is refused with the server's error naming its line;
 * - a version promoted from the page shows active in the next environment and in the
 *   promotion history; a promotion the policy refuses shows the refusal and its rule;
 * - the Runs page's filters (has rejects, succeeded with warnings, trigger) are in the
 *   address and answered by the server; the timeline draws one bar per run;
 * - a run's page charts each expectation over the last runs against its threshold;
 * - with keys required, a reader sees no promote or apply; an admin does.
 * Screenshots: test-artifacts/browser/console-contracts-*.png.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../faults/support/instance';
import { createKey, ENGINES, gql, setUp, tearDown, type Setup } from './support/server';
import { failingRun, SENSORS } from './support/failing-run';

function prices(version: string, extra = '  - { name: note, type: string }\n'): string {
  return `name: prices
version: ${version}
owner: e2e
description: Item prices.
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
  - { name: price, type: number, minimum: 0 }
${extra}expectations: []
features:
  - { name: price, column: price, description: The price in cents. }
`;
}
const PRICES_V1 = prices('1.0.0');
// The note column removed: breaking, so 2.0.0.
const PRICES_V2 = prices('2.0.0', '');
// Line 10 (the item column) is indented one space too far.
const BROKEN = PRICES_V2.replace('version: 2.0.0', 'version: 2.0.1').replace(
  '  - { name: item,',
  '   - { name: item,',
);

const cards = readFileSync(join(REPO_ROOT, 'seeds/data/card_transactions/sample.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .slice(0, 10)
  .map((l) => JSON.parse(l) as Record<string, unknown>);
let batch = 0;

/** A card_transactions run over HTTP; `amount` sets every row's amount (each batch distinct). */
async function ingestCards(s: Setup, amount?: (i: number) => number, key?: string): Promise<string> {
  batch++;
  const records = cards.map((r, i) => ({
    ...r,
    amount: (amount ? amount(i) : Number(r.amount)) + batch / 100,
  }));
  const data = await gql<{ ingest: { id: string } }>(
    s.server,
    'mutation($r: [JSON!]!) { ingest(contract: "card_transactions", records: $r) { id } }',
    { r: records },
    key,
  );
  return data.ingest.id;
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).replace(/\s+/g, ' ');
}

/** Pastes YAML into the apply form and confirms; answers what the page then says. */
async function applyFromPage(page: Page, yaml: string, dialogName: string): Promise<void> {
  await page.getByLabel(/^Contract YAML/).fill(yaml);
  await page.getByRole('button', { name: 'Apply…' }).click();
  const dialog = page.getByRole('dialog', { name: dialogName });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

describe.each(ENGINES)('the contract page, runs filters and history in Chromium (%s)', (engine) => {
  let s: Setup;
  beforeAll(async () => {
    s = await setUp('console-contracts', engine);
  });
  afterAll(() => tearDown(s));
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail')
      await s.b.shot(`console-contracts-failed-${engine}-${task.name.replace(/\W+/g, '-')}`);
  });

  it('applies two versions from the page and shows the breaking change between them', async () => {
    const { page } = s.b;
    await page.goto(`${s.server.baseUrl}/contracts/card_transactions`);
    await page.getByRole('heading', { level: 2, name: 'Apply a contract' }).waitFor();

    await applyFromPage(page, PRICES_V1, 'Apply prices@1.0.0?');
    expect(await text(page, '[data-apply-status]')).toContain('Registered prices@1.0.0, active in dev.');
    await applyFromPage(page, PRICES_V2, 'Apply prices@2.0.0?');
    expect(await text(page, '[data-apply-status="registered"]')).toMatch(
      /Registered prices@2\.0\.0, active in dev\. Against 1\.0\.0: major bump required/,
    );

    await page.getByRole('link', { name: 'prices@2.0.0' }).click();
    await page.getByRole('heading', { level: 1, name: /prices/ }).waitFor();
    expect(new URL(page.url()).search).toBe('?version=2.0.0');
    // Both versions, each active in dev (different majors are different feature views).
    expect(await text(page, 'tr[data-version="2.0.0"]')).toMatch(/2\.0\.0 \(shown\) ● dev/);
    expect(await text(page, 'tr[data-version="1.0.0"]')).toMatch(/1\.0\.0 ● dev/);

    // The comparison defaults to the shown version against the one before it.
    expect(await page.getByLabel('From version').inputValue()).toBe('1.0.0');
    expect(await page.getByLabel('To version').inputValue()).toBe('2.0.0');
    await page.locator('tr[data-change="column.removed"]').waitFor();
    expect(await text(page, 'tr[data-change="column.removed"]')).toMatch(
      /✗ breaking column\.removed \/schema\/note .*note/,
    );
    expect(await text(page, '#diff-summary')).toMatch(
      /^1 change from 1\.0\.0 to 2\.0\.0\. Required bump: major; 2\.0\.0 makes a major bump ✓ enough\./,
    );
    expect(await page.locator('#diff-summary').getAttribute('data-required-bump')).toBe('major');
    // Side by side: the removed line on the left, marked in words as well as colour.
    const marked = (mark: string) =>
      page.locator(`td[data-mark="${mark}"]`).evaluateAll((cells) => cells.map((c) => c.textContent));
    expect(await marked('removed')).toEqual([
      '− removed: version: 1.0.0',
      '− removed:   - { name: note, type: string }',
    ]);
    expect(await marked('added')).toEqual(['+ added: version: 2.0.0']);
    await page.locator('#diff-heading').evaluate((e) => e.scrollIntoView());
    await s.b.shot(`console-contracts-1-diff-${engine}`);

    // Any two versions: the same pair backwards is a downgrade, said so.
    await page.getByLabel('From version').selectOption('2.0.0');
    await page.getByLabel('To version').selectOption('1.0.0');
    await expect.poll(() => text(page, '#diff-summary')).toMatch(/from 2\.0\.0 to 1\.0\.0.*✗ not enough/);

    // The schema with its constraints, the feature with its definition and description.
    expect(await text(page, 'section:has(#schema-heading) tbody')).toContain('price number no minimum 0');
    expect(await text(page, 'section:has(#features-heading) tbody')).toContain(
      'price The price in cents. column column price',
    );

    // An invalid contract is refused with the server's error naming the line to fix.
    await applyFromPage(page, BROKEN, 'Apply prices@2.0.1?');
    const error = await text(page, 'section:has(#apply-heading) p.error');
    expect(error).toMatch(
      /^⚠ Not applied: applyContract\.yaml:10:4 .*wrong indentation: line 10 is indented 3 spaces/,
    );
    await s.b.shot(`console-contracts-2-apply-refused-${engine}`);
    expect(
      (await gql<{ contract: { versions: string[] } }>(s.server, '{ contract(name: "prices") { versions } }'))
        .contract.versions,
    ).toEqual(['2.0.0', '1.0.0']);
    expect(s.b.errors).toEqual([]);
  });

  it('promotes a version to the next environment after a confirmation, and shows a refusal', async () => {
    const { page } = s.b;
    await ingestCards(s);
    await page.goto(`${s.server.baseUrl}/contracts/card_transactions`);
    await page.getByRole('button', { name: 'Promote 1.0.0 to test…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Promote card_transactions@1.0.0 to test?' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('a succeeded run in dev');
    // Cancel changes nothing.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await text(page, 'tr[data-version="1.0.0"] [data-cell="active"]')).toBe('● dev');

    await page.getByRole('button', { name: 'Promote 1.0.0 to test…' }).click();
    await dialog.getByRole('button', { name: 'Promote to test' }).click();
    await page.getByText('card_transactions@1.0.0 is now active in test.').waitFor();
    await expect.poll(() => text(page, 'tr[data-version="1.0.0"] [data-cell="active"]')).toBe('● dev ● test');
    // Next it goes to prod.
    await page.getByRole('button', { name: 'Promote 1.0.0 to prod…' }).waitFor();
    expect(await text(page, 'tr[data-promotion="1.0.0:test"]')).toMatch(
      /1\.0\.0 dev → test active anonymous/,
    );
    await s.b.shot(`console-contracts-3-promoted-${engine}`);

    // prices@2.0.0 never ran in dev: the policy refuses, and the page says which rule.
    await page.goto(`${s.server.baseUrl}/contracts/prices?version=2.0.0`);
    await page.getByRole('button', { name: 'Promote 2.0.0 to test…' }).click();
    await page.getByRole('button', { name: 'Promote to test' }).click();
    const refusal = page.locator('section:has(#versions-heading) p.error');
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(
      /Promotion refused: promotion refused \(promotion\.no-succeeded-run\): prices@2\.0\.0 has no succeeded run in dev/,
    );
    expect(await text(page, 'tr[data-version="2.0.0"] [data-cell="active"]')).toBe('● dev');
    await s.b.shot(`console-contracts-4-promotion-refused-${engine}`);
  });

  it('filters runs on the server by rejects, warnings and trigger, in the address; the timeline has a bar per run', async () => {
    const { page } = s.b;
    const clean = await ingestCards(s);
    // A mean above 5,000 breaks the warn expectation mean_between(amount): succeeded, with a warning.
    const warned = await ingestCards(s, () => 9_000);
    // A negative amount breaks the schema's minimum: that row is rejected.
    const rejecting = await ingestCards(s, (i) => (i === 3 ? -5 : 20));

    await page.goto(`${s.server.baseUrl}/runs?contract=card_transactions`);
    await page.locator(`tr[data-run="${rejecting}"]`).waitFor();
    const all = await page.locator('tbody tr[data-run]').count();
    expect(all).toBeGreaterThanOrEqual(3);
    expect(await text(page, `tr[data-run="${warned}"]`)).toContain('succeeded ⚠ 1 warning');

    const asked = page.waitForRequest((r) => (r.postData() ?? '').includes('"hasRejects":true'));
    await page.getByLabel('Has rejects').check();
    await asked;
    await expect.poll(() => page.locator('tbody tr[data-run]').count()).toBe(1);
    expect(new URL(page.url()).search).toBe('?contract=card_transactions&rejects=1');
    expect(await page.locator('tbody tr[data-run]').getAttribute('data-run')).toBe(rejecting);
    expect(await text(page, '#runs-count')).toMatch(/^Runs 1–1 of 1, newest first\./);

    await page.getByLabel('Has rejects').uncheck();
    await page.getByLabel('Succeeded with warnings').check();
    await expect.poll(() => new URL(page.url()).search).toBe('?contract=card_transactions&warnings=1');
    await expect
      .poll(async () =>
        page.locator('tbody tr[data-run]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run'))),
      )
      .toEqual([warned]);
    await s.b.shot(`console-contracts-5-runs-filtered-${engine}`);

    // A trigger no card run has: nothing. Then back to every run of the contract.
    await page.getByLabel('Succeeded with warnings').uncheck();
    await page.getByLabel('Trigger').selectOption('manual');
    await expect.poll(() => text(page, '#runs-count')).toMatch(/^No runs match\./);
    expect(new URL(page.url()).search).toBe('?contract=card_transactions&trigger=manual');
    await page.getByLabel('Trigger').selectOption('');
    await expect.poll(() => page.locator('tbody tr[data-run]').count()).toBe(all);
    expect(await page.locator(`tr[data-run="${clean}"]`).count()).toBe(1);

    // The timeline: one bar per run of the page, status in its name, a lane per contract × environment.
    await page.getByRole('button', { name: 'Timeline' }).click();
    expect(new URL(page.url()).search).toBe('?contract=card_transactions&view=timeline');
    expect(await page.getByRole('button', { name: 'Timeline' }).getAttribute('aria-pressed')).toBe('true');
    await page.locator('[data-timeline]').waitFor();
    expect(await page.locator('[data-timeline] a[data-bar]').count()).toBe(all);
    expect(
      await page.locator('[data-lane]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-lane'))),
    ).toEqual(expect.arrayContaining(['card_transactions · dev']));
    const bar = page.locator(`a[data-bar="${warned}"]`);
    expect(await bar.getAttribute('data-status')).toBe('SUCCEEDED');
    expect(await bar.getAttribute('aria-label')).toMatch(
      new RegExp(`^Run ${warned} of card_transactions@1\\.0\\.0 in dev: succeeded, started `),
    );
    expect(await page.locator('table.grid').first().isHidden()).toBe(true);
    await s.b.shot(`console-contracts-6-timeline-${engine}`);
    // Filters apply to the timeline too; a bar opens its run.
    await page.getByLabel('Has rejects').check();
    await expect.poll(() => page.locator('[data-timeline] a[data-bar]').count()).toBe(1);
    await page.locator(`a[data-bar="${rejecting}"]`).click();
    await page.waitForURL(`**/runs/${rejecting}`);
    expect(s.b.errors).toEqual([]);
  });

  it('charts each expectation of a run over the last runs against its threshold', async () => {
    const { page } = s.b;
    await gql(s.server, 'mutation($y: String!) { applyContract(yaml: $y) { status } }', { y: SENSORS });
    const landing = join(s.dataDir, 'landing', 'sensor_readings');
    mkdirSync(landing, { recursive: true });
    // Mean 20: within 0..40, the run succeeds.
    writeFileSync(
      join(landing, 'cool.csv'),
      'ts,sensor,celsius\n2024-01-01T00:00:00Z,s1,15\n2024-01-01T01:00:00Z,s2,25\n',
    );
    const cool = await gql<{ triggerRun: { id: string; status: string } }>(
      s.server,
      'mutation { triggerRun(contract: "sensor_readings") { id status } }',
    );
    expect(cool.triggerRun.status).toBe('SUCCEEDED');
    const hot = await failingRun(s);
    expect(hot.status).toBe('FAILED');

    await page.goto(`${s.server.baseUrl}/runs/${hot.id}`);
    await page.getByRole('heading', { level: 3, name: 'Expectation history' }).waitFor();
    const mean = page.locator('[data-history="mean_between(celsius)"]');
    await mean.locator('[data-point]').nth(1).waitFor();
    expect(
      await mean
        .locator('[data-point]')
        .evaluateAll((ps) => ps.map((p) => [p.getAttribute('data-point'), p.getAttribute('data-success')])),
    ).toEqual([
      [cool.triggerRun.id, 'true'],
      [hot.id, 'false'],
    ]);
    expect(await text(page, '[data-history="mean_between(celsius)"] figcaption')).toBe(
      'mean_between(celsius) observed against min 0, max 40: 1 of 2 held; this run 87.5',
    );
    expect(await mean.locator('[data-threshold]').count()).toBe(2);
    expect(await mean.locator(`[data-point="${hot.id}"]`).getAttribute('aria-label')).toMatch(
      /: observed 87\.5, did not hold$/,
    );
    // The schema check's history: the share of rows it rejected, against none allowed.
    expect(await text(page, '[data-history="schema"] figcaption')).toMatch(
      /^schema unexpected % against max 0: 1 of 2 held; this run 33\.33/,
    );
    await page.locator('#validation-heading').evaluate((e) => e.scrollIntoView());
    await s.b.shot(`console-contracts-7-expectation-history-${engine}`);
    // A point is a link to its run, by keyboard as well.
    await mean.locator(`[data-point="${cool.triggerRun.id}"]`).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/runs/${cool.triggerRun.id}`);
    expect(s.b.errors).toEqual([]);
  });
});

describe.each(ENGINES)('contract actions by role in Chromium, keys required (%s)', (engine) => {
  let s: Setup;
  let keys: Record<'reader' | 'writer' | 'admin', string>;
  beforeAll(async () => {
    s = await setUp('console-contracts-keys', engine, { TIDEMARK_AUTH: 'required' });
    // Made up front: each `tidemark keys create` starts a process.
    const [reader, writer, admin] = await Promise.all(
      (['reader', 'writer', 'admin'] as const).map((r) => createKey(s.storeEnv, r)),
    );
    keys = { reader: reader!, writer: writer!, admin: admin! };
    // Three CLI processes on a busy machine take longer than the default hook timeout.
  }, 240_000);
  afterAll(() => tearDown(s));
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail')
      await s.b.shot(`console-contracts-failed-${engine}-${task.name.replace(/\W+/g, '-')}`);
  });

  /** Opens the contract page and enters `key` at the prompt, as a person would. */
  async function openAs(key: string): Promise<Page> {
    const { page } = s.b;
    await page.goto(`${s.server.baseUrl}/contracts/card_transactions`);
    // Forget the key of the step before: the console asks again.
    await page.evaluate('sessionStorage.clear()');
    await page.reload();
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByRole('heading', { level: 2, name: 'Versions (1)' }).waitFor();
    return page;
  }

  it('shows no promote or apply to a reader (nor a writer: both need admin), and both to an admin', async () => {
    for (const role of ['reader', 'writer'] as const) {
      const page = await openAs(keys[role]);
      // Once the role is known, the page says why there are no actions.
      await page.locator(`[data-viewer-role="${role}"]`).waitFor();
      expect(await text(page, `[data-viewer-role="${role}"]`)).toBe(
        `Your key's role is ${role}: promoting and applying contracts need an admin key.`,
      );
      expect(await page.getByRole('button', { name: /^Promote/ }).count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'Apply a contract' }).count()).toBe(0);
      expect(await page.getByLabel(/^Contract YAML/).count()).toBe(0);
      await s.b.shot(`console-contracts-8-${role}-no-actions-${engine}`);
    }
    const page = await openAs(keys.admin);
    await page.getByRole('button', { name: 'Promote 1.0.0 to test…' }).waitFor();
    await page.getByRole('heading', { name: 'Apply a contract' }).waitFor();
  });
});
