/**
 * The console's lineage graph, run actions and feature explorer in headless Chromium
 * against a real `tidemark serve` (SQLite, and a fresh PostgreSQL database when
 * TEST_DATABASE_URL is set), driven as a person would, by links, buttons and keys:
 * - the lineage graph for a contract has the expected nodes and edges, opens from a
 *   run's page, and a node opens its page;
 * - rolling back a run from its page changes what the feature explorer shows for that
 *   entity, and moving the knownAt slider back shows the earlier values; reprocessing
 *   it from its page brings them back;
 * - with keys required, a reader key sees no rollback button, and a rollback attempted
 *   anyway (the page told a wrong role) is refused with a visible message.
 * Screenshots: test-artifacts/browser/console-lineage-*.png, console-explorer-*.png,
 * console-actions-*.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKey, ENGINES, gql, setUp, tearDown, type Setup } from './support/server';

const CARD = 'cardE2E00001';
const at = (hour: number) => new Date(Date.UTC(2024, 2, 1, hour)).toISOString();
const txn = (hour: number, amount: number) => ({
  ts: at(hour),
  card_id: CARD,
  amount,
  currency: 'EUR',
  merchant_category: 'groceries',
  card_present: true,
});

interface Ingested {
  id: string;
  rawBatches: Array<{ id: string }>;
}

async function ingest(s: Setup, records: unknown[], key?: string): Promise<Ingested> {
  const data = await gql<{ ingest: Ingested & { status: string } }>(
    s.server,
    'mutation($r: [JSON!]!) { ingest(contract: "card_transactions", records: $r) { id status rawBatches { id } } }',
    { r: records },
    key,
  );
  expect(data.ingest.status).toBe('SUCCEEDED');
  return data.ingest;
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).replace(/\s+/g, ' ');
}

/** The graph as drawn: node ids with kind and status, edges as "from -relation-> to". */
async function drawn(page: Page): Promise<{ nodes: string[]; edges: string[] }> {
  const nodes = await page
    .locator('.lineage-canvas [data-node-id]')
    .evaluateAll((els) =>
      els.map(
        (e) =>
          `${e.getAttribute('data-node-id')} ${e.getAttribute('data-kind')} ${e.getAttribute('data-status') ?? '-'}`,
      ),
    );
  const edges = await page
    .locator('.lineage-canvas path[data-relation]')
    .evaluateAll((els) =>
      els.map(
        (e) =>
          `${e.getAttribute('data-from')} -${e.getAttribute('data-relation')}-> ${e.getAttribute('data-to')}`,
      ),
    );
  return { nodes: nodes.sort(), edges: edges.sort() };
}

/** The explorer's table for CARD: event time → amount, as shown. */
async function amounts(page: Page): Promise<Record<string, string>> {
  const rows = await page
    .locator(`tr[data-entity="${CARD}"][data-event-time]`)
    .evaluateAll((els) =>
      els.map((e) => [
        e.getAttribute('data-event-time') ?? '',
        e.querySelector('[data-feature="amount"]')?.textContent ?? '',
      ]),
    );
  return Object.fromEntries(rows);
}

describe.each(ENGINES)('lineage, run actions and the feature explorer in Chromium (%s)', (engine) => {
  let s: Setup;
  beforeAll(async () => {
    s = await setUp('console-lineage', engine);
  });
  afterAll(() => tearDown(s));
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail')
      await s.b.shot(`console-failed-${engine}-${task.name.replace(/\W+/g, '-')}`);
  });

  it('the lineage graph for a contract has the expected nodes and edges', async () => {
    const { page } = s.b;
    const first = await ingest(s, [txn(8, 10)]);
    const second = await ingest(s, [txn(9, 11)]);

    // From the navigation, choosing the contract as a person would.
    await page.goto(`${s.server.baseUrl}/`);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Lineage' }).click();
    await page.getByLabel('Contract').selectOption('card_transactions');
    await page.getByRole('button', { name: 'Show lineage' }).click();
    await page.locator('#lineage-summary').waitFor();
    expect(new URL(page.url()).search).toBe('?contract=card_transactions');
    await s.b.shot(`console-lineage-1-contract-${engine}`);

    const cv = 'contract_version:card_transactions@1.0.0';
    const view = 'feature_view:dev/card_transactions/v1';
    const g = await drawn(page);
    expect(g.nodes).toEqual(
      [
        `${cv} contract_version -`,
        `${view} feature_view -`,
        `raw_batch:${first.rawBatches[0]!.id} raw_batch -`,
        `raw_batch:${second.rawBatches[0]!.id} raw_batch -`,
        `run:${first.id} run SUCCEEDED`,
        `run:${second.id} run SUCCEEDED`,
      ].sort(),
    );
    expect(g.edges).toEqual(
      [first, second]
        .flatMap((r) => [
          `raw_batch:${r.rawBatches[0]!.id} -read_by-> run:${r.id}`,
          `${cv} -applied_in-> run:${r.id}`,
          `run:${r.id} -wrote-> ${view}`,
        ])
        .sort(),
    );
    expect(await text(page, '#lineage-summary')).toBe(
      '6 nodes, 6 edges: 2 raw batches, 2 runs, 1 feature view, 1 contract version.',
    );
    // Status in words as well as colour, on the node itself.
    expect(await page.locator(`[data-node-id="run:${first.id}"] .lnode-status`).textContent()).toBe(
      '✓ succeeded',
    );

    // Each node's OpenLineage name, as the emitted events name it.
    await page.getByText("Each node's OpenLineage name").click();
    const named = (id: string) => text(page, `#openlineage-names tr[data-node="${id}"]`);
    expect(await named(view)).toMatch(/dataset tidemark dev\/card_transactions\/v1$/);
    expect(await named(cv)).toMatch(/job tidemark card_transactions$/);
    expect(await named(`raw_batch:${first.rawBatches[0]!.id}`)).toMatch(/dataset tidemark-raw [0-9a-f]{64}$/);
    expect(await named(`run:${first.id}`)).toMatch(
      /run tidemark card_transactions\s*run id [0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    await s.b.shot(`console-lineage-openlineage-${engine}`);

    // Zoom by button and by wheel; both change the scale shown.
    const zoom = () => page.locator('[data-zoom]').getAttribute('data-zoom');
    const before = await zoom();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    expect(Number(await zoom())).toBeGreaterThan(Number(before));
    const box = (await page.locator('.lineage-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const zoomed = await zoom();
    await page.mouse.wheel(0, 400);
    await expect.poll(async () => Number(await zoom())).toBeLessThan(Number(zoomed));
    await page.getByRole('button', { name: 'Fit' }).click();

    // A run's page links to its own lineage; its run node opens the run again.
    await page.goto(`${s.server.baseUrl}/runs/${second.id}`);
    await page.getByRole('link', { name: 'Lineage of this run' }).click();
    await page.locator('#lineage-summary').waitFor();
    expect((await drawn(page)).edges).toEqual(
      [
        `raw_batch:${second.rawBatches[0]!.id} -read_by-> run:${second.id}`,
        `${cv} -applied_in-> run:${second.id}`,
        `run:${second.id} -wrote-> ${view}`,
      ].sort(),
    );
    await s.b.shot(`console-lineage-2-run-${engine}`);
    await page.locator(`a[data-node-id="run:${second.id}"]`).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(second.id) }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/runs/${second.id}`);
    expect(s.b.errors).toEqual([]);
  });

  it('rolling back a run from its page changes what the feature explorer shows for that entity, and moving the knownAt slider back shows the earlier values', async () => {
    const { page } = s.b;
    // Run A: 10:00 → 20, 11:00 → 21. Run B corrects 11:00 to 25 and adds 12:00 → 30.
    const a = await ingest(s, [txn(10, 20), txn(11, 21)]);
    const b = await ingest(s, [txn(11, 25), txn(12, 30)]);
    const before = { [at(8)]: '10', [at(9)]: '11', [at(10)]: '20', [at(11)]: '25', [at(12)]: '30' };
    const afterRollback = { [at(8)]: '10', [at(9)]: '11', [at(10)]: '20', [at(11)]: '21' };

    await page.goto(`${s.server.baseUrl}/`);
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Features' }).click();
    await page.getByLabel('Contract').selectOption('card_transactions');
    await page.getByLabel(/^Entities/).fill(CARD);
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect.poll(() => amounts(page)).toEqual(before);
    expect(await text(page, '#known-at-value')).toBe('now (the newest state)');
    expect(await page.locator('[data-feature="amount"] .chart-point').count()).toBe(5);
    await s.b.shot(`console-explorer-1-now-${engine}`);

    // To run B's page from the row it wrote, and roll it back there.
    await page
      .locator(`tr[data-event-time="${at(12)}"]`)
      .getByRole('link', { name: b.id })
      .click();
    await page.getByRole('button', { name: 'Roll back…' }).click();
    const dialog = page.getByRole('dialog', { name: `Roll back run ${b.id}?` });
    await dialog.locator('[data-effect="rows-hidden"]').waitFor();
    expect(await text(page, 'dialog [data-effect="rows-hidden"]')).toContain(
      '2 feature rows this run wrote stop being visible',
    );
    expect(await text(page, 'dialog [data-effect="reprocessed"]')).toBe('No later run is reprocessed.');
    await s.b.shot(`console-explorer-2-confirm-rollback-${engine}`);
    await dialog.getByRole('button', { name: 'Roll back run' }).click();
    await expect.poll(() => text(page, 'h1')).toContain('rolled back');
    expect(await text(page, '[data-outcome="done"]')).toBe(`Run ${b.id} rolled back: 2 feature rows hidden.`);

    // Back in the explorer: B's correction and its new row are gone.
    await page.goBack();
    await expect.poll(() => amounts(page)).toEqual(afterRollback);
    await s.b.shot(`console-explorer-3-after-rollback-${engine}`);

    // The slider, by keyboard: now → B rolled back (the same) → B committed (B's values again).
    const slider = page.getByLabel('As the store knew it at');
    // Five moments (the two runs of the lineage test, A and B committed, B rolled back), then now.
    expect(await slider.getAttribute('max')).toBe('5');
    await slider.focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => text(page, '#known-at-value')).toContain(`run ${b.id} rolled back`);
    expect(await amounts(page)).toEqual(afterRollback);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => text(page, '#known-at-value')).toContain(`run ${b.id} committed`);
    await expect.poll(() => amounts(page)).toEqual(before);
    await s.b.shot(`console-explorer-4-known-at-${engine}`);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => text(page, '#known-at-value')).toContain(`run ${a.id} committed`);
    await expect
      .poll(() => amounts(page))
      .toEqual({ [at(8)]: '10', [at(9)]: '11', [at(10)]: '20', [at(11)]: '21' });

    // The query shown is the one that reproduces the view: sent as it stands, it answers the same.
    const document = await page.locator('#explorer-query').innerText();
    const variables = JSON.parse(await page.locator('#explorer-variables').innerText()) as Record<
      string,
      unknown
    >;
    expect(variables).toMatchObject({ contract: 'card_transactions', entity0: CARD });
    const answer = await gql<{ e0: Array<{ eventTime: string; values: { amount: number } }> }>(
      s.server,
      document,
      variables,
    );
    expect(Object.fromEntries(answer.e0.map((p) => [p.eventTime, String(p.values.amount)]))).toEqual(
      await amounts(page),
    );
    expect(new URL(page.url()).searchParams.get('knownAt')).toBe(variables.knownAt);

    // Reprocessing the rolled-back run from its page brings its values back, now.
    await page.goto(`${s.server.baseUrl}/runs/${b.id}`);
    await page.getByRole('button', { name: 'Reprocess…' }).click();
    const again = page.getByRole('dialog', { name: `Reprocess run ${b.id}?` });
    expect(await text(page, 'dialog [data-effect="batches"]')).toBe(
      'Its 1 raw batch (2 rows) run again as a new run under card_transactions@1.0.0.',
    );
    expect(await text(page, 'dialog [data-effect="replaces"]')).toBe(
      'This run is rolled back and serves no rows, so the new run replaces nothing.',
    );
    await again.getByRole('button', { name: 'Reprocess run' }).click();
    const queued = page.locator('[data-outcome="done"] a');
    await queued.waitFor();
    const reprocess = (await queued.innerText()).trim();
    await s.b.shot(`console-explorer-5-reprocess-queued-${engine}`);
    await page.goto(`${s.server.baseUrl}/features?contract=card_transactions&entities=${CARD}`);
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.locator('#known-at-value').waitFor();
          return amounts(page);
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toEqual(before);
    expect(await page.locator(`tr[data-event-time="${at(12)}"]`).getAttribute('data-run')).toBe(reprocess);
    expect(s.b.errors).toEqual([]);
  });
});

describe.each(ENGINES)('run actions with keys required in Chromium (%s)', (engine) => {
  let s: Setup;
  let reader: string;
  let writer: string;
  // A server and two CLI runs (the keys): longer than the default hook time on a busy machine.
  beforeAll(async () => {
    s = await setUp('console-actions-keys', engine, { TIDEMARK_AUTH: 'required' });
    [reader, writer] = await Promise.all([createKey(s.storeEnv, 'reader'), createKey(s.storeEnv, 'writer')]);
  }, 240_000);
  afterAll(() => tearDown(s));
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail')
      await s.b.shot(`console-failed-${engine}-${task.name.replace(/\W+/g, '-')}`);
  });

  it('with keys required, a reader key sees no rollback button and a mutation attempted anyway is refused with a visible message', async () => {
    const { page } = s.b;
    const run = await ingest(s, [txn(8, 10)], writer);
    await page.goto(`${s.server.baseUrl}/runs/${run.id}`);
    await page.getByLabel('API key').fill(reader);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.locator('[data-actions="hidden"]').waitFor();
    expect(await text(page, '[data-actions="hidden"]')).toMatch(
      /^Rolling back or reprocessing a run needs an admin key; this key \(.+\) has the role reader\.$/,
    );
    expect(await page.getByRole('button', { name: /Roll back/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Reprocess/ }).count()).toBe(0);
    await s.b.shot(`console-actions-1-reader-${engine}`);

    // The page is told a wrong role (a role changed meanwhile, a crafted answer): the
    // buttons show, and the server still refuses, in words the page shows.
    await page.route('**/graphql', async (route) => {
      if (route.request().postData()?.includes('query Viewer'))
        return route.fulfill({
          contentType: 'application/json',
          body: JSON.stringify({ data: { viewer: { actor: 'someone', role: 'admin', keyId: null } } }),
        });
      return route.continue();
    });
    await page.reload();
    await page.getByRole('button', { name: 'Roll back…' }).click();
    const dialog = page.getByRole('dialog', { name: `Roll back run ${run.id}?` });
    await dialog.getByRole('button', { name: 'Roll back run' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    expect((await refusal.innerText()).replace(/\s+/g, ' ')).toMatch(
      /The server refused: .+ has role reader; this operation needs admin/,
    );
    await s.b.shot(`console-actions-2-refused-${engine}`);
    await page.unroute('**/graphql');

    const { run: still } = await gql<{ run: { status: string } }>(
      s.server,
      'query($id: ID!) { run(id: $id) { status } }',
      { id: run.id },
      reader,
    );
    expect(still.status).toBe('SUCCEEDED');
    // The refusal's HTTP status may be logged by the browser; nothing else went wrong.
    expect(s.b.errors.filter((e) => !/status of 40[13]/.test(e))).toEqual([]);
  });
});
