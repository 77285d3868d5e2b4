/**
 * The lineage of one entity of a contract in headless Chromium against a real
 * `tidemark serve` (SQLite, and PostgreSQL when TEST_DATABASE_URL is set): asked for by
 * the form as a person would, the graph holds the runs that wrote that entity's rows
 * (with their raw batches, contract version and feature view), and not a run that wrote
 * only another entity; an entity nothing wrote says so.
 * Screenshots: test-artifacts/browser/console-lineage-entity-*.png.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, gql, setUp, tearDown, type Setup } from './support/server';

const A = 'cardEntityA001';
const B = 'cardEntityB001';
const at = (hour: number) => new Date(Date.UTC(2024, 3, 1, hour)).toISOString();
const txn = (card: string, hour: number, amount: number) => ({
  ts: at(hour),
  card_id: card,
  amount,
  currency: 'EUR',
  merchant_category: 'groceries',
  card_present: false,
});

interface Ingested {
  id: string;
  rawBatches: Array<{ id: string }>;
}

async function ingest(s: Setup, records: unknown[]): Promise<Ingested> {
  const data = await gql<{ ingest: Ingested & { status: string } }>(
    s.server,
    'mutation($r: [JSON!]!) { ingest(contract: "card_transactions", records: $r) { id status rawBatches { id } } }',
    { r: records },
  );
  expect(data.ingest.status).toBe('SUCCEEDED');
  return data.ingest;
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

describe.each(ENGINES)('the lineage of one entity in Chromium (%s)', (engine) => {
  let s: Setup;
  beforeAll(async () => {
    s = await setUp('console-lineage-entity', engine);
  });
  afterAll(() => tearDown(s));
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail')
      await s.b.shot(`console-failed-${engine}-${task.name.replace(/\W+/g, '-')}`);
  });

  it('shows the runs that wrote the entity, with their batches, contract version and view, and no other run', async () => {
    const { page } = s.b;
    const both = await ingest(s, [txn(A, 8, 10), txn(B, 8, 20)]);
    const onlyB = await ingest(s, [txn(B, 9, 21)]);
    const onlyA = await ingest(s, [txn(A, 10, 12)]);

    await page.goto(`${s.server.baseUrl}/lineage`);
    await page.getByLabel('Contract').selectOption('card_transactions');
    await page.getByLabel('Entity (optional)').fill(A);
    await page.getByRole('button', { name: 'Show lineage' }).click();
    await page.locator('#lineage-summary').waitFor();
    const url = new URL(page.url());
    expect(url.searchParams.get('contract')).toBe('card_transactions');
    expect(url.searchParams.get('entity')).toBe(A);
    await s.b.shot(`console-lineage-entity-1-${engine}`);

    const cv = 'contract_version:card_transactions@1.0.0';
    const view = 'feature_view:dev/card_transactions/v1';
    const g = await drawn(page);
    expect(g.nodes).toEqual(
      [
        `${cv} contract_version -`,
        `${view} feature_view -`,
        `raw_batch:${both.rawBatches[0]!.id} raw_batch -`,
        `raw_batch:${onlyA.rawBatches[0]!.id} raw_batch -`,
        `run:${both.id} run SUCCEEDED`,
        `run:${onlyA.id} run SUCCEEDED`,
      ].sort(),
    );
    expect(g.edges).toEqual(
      [both, onlyA]
        .flatMap((r) => [
          `raw_batch:${r.rawBatches[0]!.id} -read_by-> run:${r.id}`,
          `${cv} -applied_in-> run:${r.id}`,
          `run:${r.id} -wrote-> ${view}`,
        ])
        .sort(),
    );
    expect(g.nodes.some((n) => n.includes(onlyB.id))).toBe(false);
    expect((await page.locator('#lineage-summary').innerText()).replace(/\s+/g, ' ')).toBe(
      '6 nodes, 6 edges: 2 raw batches, 2 runs, 1 feature view, 1 contract version.',
    );
    // The graph is named for screen readers, with its subject.
    expect(
      await page
        .getByRole('group', { name: new RegExp(`^Lineage graph of card_transactions, entity ${A}`) })
        .count(),
    ).toBe(1);

    // The other entity: the run of both and the run of B only.
    await page.getByLabel('Entity (optional)').fill(B);
    await page.getByRole('button', { name: 'Show lineage' }).click();
    await expect
      .poll(async () => (await drawn(page)).nodes.filter((n) => n.startsWith('run:')))
      .toEqual([`run:${both.id} run SUCCEEDED`, `run:${onlyB.id} run SUCCEEDED`].sort());
    await s.b.shot(`console-lineage-entity-2-${engine}`);

    // An entity nothing wrote.
    await page.getByLabel('Entity (optional)').fill('cardNobody001');
    await page.getByRole('button', { name: 'Show lineage' }).click();
    await expect
      .poll(async () => (await page.locator('#lineage-summary').innerText()).replace(/\s+/g, ' '))
      .toBe('Nothing yet: no run of card_transactions, entity cardNobody001 has written lineage.');
    expect(await page.locator('.lineage-canvas [data-node-id]').count()).toBe(0);
    expect(s.b.errors).toEqual([]);
  });
});
