/**
 * The explorer walked in headless Chromium against a real `tidemark serve` (SQLite in a
 * temporary data directory, a free port): at /graphql (/ is the console), the Docs pane lists
 * the Query fields (the schema loaded through introspection), a typed query shows its
 * result, a subscription shows a run's events while an ingest runs over HTTP; then the
 * same with keys required, the key typed into the Headers tab, and a wrong key shown as
 * an error instead of a spinner. A contract registered over HTTP while the page is open
 * shows its typed view (`featureView { <contract>_v<major> }`) in the Docs pane and in
 * the editor's autocomplete once the schema is re-fetched, without a restart. On SQLite, and again on a fresh PostgreSQL database when
 * TEST_DATABASE_URL is set. Screenshots of each step: test-artifacts/browser/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type Instance } from '../faults/support/instance';
import type { Browser } from './support/browser';
import { createKey, ENGINES, setUp, tearDown, type Setup } from './support/server';
import {
  docsQueryFields,
  refetchSchema,
  run,
  typeHeaders,
  typeQuery,
  waitForResult,
} from './support/explorer';

const SUBSCRIPTION = `subscription {
  runStatusChanged(contract: "card_transactions") { id status rowsWritten }
}`;
const QUERY = `{
  contracts { name version entityKey }
}`;

const samples = readFileSync(join(REPO_ROOT, 'seeds/data/card_transactions/sample.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .slice(0, 20)
  .map((l) => JSON.parse(l) as Record<string, unknown>);
let batch = 0;

/** An ingest over HTTP, as another client would send it meanwhile. */
async function ingest(server: Instance, key?: string): Promise<void> {
  // Each batch a new amount, so each one is a new run.
  const records = samples.map((r) => ({ ...r, amount: Number(r.amount) + ++batch / 100 }));
  const res = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({
      query: 'mutation($r: [JSON!]!) { ingest(contract: "card_transactions", records: $r) { status } }',
      variables: { r: records },
    }),
  });
  expect(res.status).toBe(200);
}

const PROBE = `name: explorer_probe
version: 1.0.0
owner: tests
entity: { name: device, key: [device] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: device, type: string, required: true }
  - { name: reading, type: number }
expectations: []
features:
  - { name: reading, column: reading }
`;

/**
 * Puts the cursor inside \`featureView { }\`, types \`prefix\` and answers the autocomplete's
 * offers. CodeMirror closes the hint list when nothing matches the prefix, so with
 * \`mayBeEmpty\` a list that never opens reads as no offers instead of a timeout.
 */
async function completeUnderFeatureView(b: Browser, prefix: string, mayBeEmpty = false): Promise<string[]> {
  await typeQuery(b.page, '{\n  featureView {\n    \n  }\n}');
  await b.page
    .locator('.graphiql-query-editor .CodeMirror:visible')
    .evaluate((el) =>
      (
        el as unknown as { CodeMirror: { focus(): void; setCursor(l: number, c: number): void } }
      ).CodeMirror.setCursor(2, 4),
    );
  await b.page.locator('.graphiql-query-editor .CodeMirror:visible textarea').focus();
  await b.page.keyboard.type(prefix, { delay: 50 });
  const shown = await b.page
    .waitForSelector('.CodeMirror-hints li', { timeout: mayBeEmpty ? 3_000 : 10_000 })
    .then(() => true)
    .catch((e: unknown) => {
      if (mayBeEmpty) return false;
      throw e;
    });
  if (!shown) return [];
  return b.page.$$eval('.CodeMirror-hints li', (els) => els.map((e) => e.textContent ?? ''));
}

/** Ingests until the result pane shows a SUCCEEDED event (the subscription may not be registered yet). */
async function ingestUntilShown(b: Browser, server: Instance, key?: string): Promise<string> {
  for (let i = 0; i < 20; i++) {
    await ingest(server, key);
    const shown = await waitForResult(b.page, (t) => t.includes('"SUCCEEDED"'), 1_500).catch(() => null);
    if (shown) return shown;
  }
  throw new Error('no run event reached the result pane after 20 ingests');
}

describe.each(ENGINES)('the explorer in Chromium, anonymous on loopback (%s)', (engine) => {
  let s: Setup;
  beforeAll(async () => {
    s = await setUp('anon', engine);
  });
  afterAll(() => tearDown(s));
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await s.b.shot(`failed-${engine}-${task.name.replace(/\W+/g, '-')}`);
  });

  it('opens at /graphql, whose Docs pane lists the Query fields', async () => {
    await s.b.page.goto(`${s.server.baseUrl}/graphql`);
    const fields = await docsQueryFields(s.b.page);
    await s.b.shot(`anon-1-docs-${engine}`);
    expect(fields).toEqual(expect.arrayContaining(['contracts', 'features', 'runs', 'trainingSet']));
    // Not one failed load or script error on the way (a missing favicon once logged a 404 here).
    expect(s.b.errors).toEqual([]);
  });

  it('runs a typed query and shows its result', async () => {
    await typeQuery(s.b.page, QUERY);
    await run(s.b.page);
    const text = await waitForResult(s.b.page, (t) => t.includes('"contracts"'));
    await s.b.shot(`anon-2-query-${engine}`);
    const names = (JSON.parse(text) as { data: { contracts: Array<{ name: string }> } }).data.contracts.map(
      (c) => c.name,
    );
    expect(names).toEqual(expect.arrayContaining(['card_transactions', 'country_daily']));
  });

  it('offers a typed view registered while the page is open, in the Docs pane and the autocomplete', async () => {
    // The page may have read its schema before the example contracts were synced (the first
    // test loads it as soon as the server listens), so it starts from the served schema.
    await refetchSchema(s.b.page);
    // The autocomplete works on this page before the contract exists: it offers the views
    // already there, and nothing for the probe's prefix.
    const existing = await completeUnderFeatureView(s.b, 'card');
    expect(existing).toEqual(expect.arrayContaining([expect.stringMatching(/^card_transactions_v1/)]));
    await s.b.page.keyboard.press('Escape');
    const before = await completeUnderFeatureView(s.b, 'explorer', true);
    expect(before.some((t) => t.startsWith('explorer_probe'))).toBe(false);
    const res = await fetch(s.server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($y: String!) { applyContract(yaml: $y) { status } }',
        variables: { y: PROBE },
      }),
    });
    expect(await res.json()).toEqual({ data: { applyContract: { status: 'registered' } } });
    await refetchSchema(s.b.page);
    const offered = await completeUnderFeatureView(s.b, 'explorer');
    await s.b.shot(`anon-3-typed-view-autocomplete-${engine}`);
    expect(offered).toEqual(expect.arrayContaining([expect.stringMatching(/^explorer_probe_v1/)]));
    // The Docs pane: Query, then featureView, then its type, lists the new field.
    await s.b.page.keyboard.press('Escape');
    await docsQueryFields(s.b.page);
    const docs = s.b.page.locator('.graphiql-doc-explorer');
    await docs.locator('.graphiql-doc-explorer-field-name', { hasText: /^featureView$/ }).click();
    await docs.locator('.graphiql-doc-explorer-type-name').first().click();
    await s.b.page.waitForSelector('.graphiql-doc-explorer-field-name');
    const fields = await s.b.page.$$eval('.graphiql-doc-explorer-field-name', (els) =>
      els.map((e) => e.textContent ?? ''),
    );
    await s.b.shot(`anon-3-typed-view-docs-${engine}`);
    expect(fields).toEqual(expect.arrayContaining(['explorer_probe_v1', 'country_daily_v1']));
  });

  it("shows a run's events in a subscription while an ingest runs over HTTP", async () => {
    await typeQuery(s.b.page, SUBSCRIPTION);
    await run(s.b.page);
    const text = await ingestUntilShown(s.b, s.server);
    await s.b.shot(`anon-3-subscription-${engine}`);
    expect(JSON.parse(text)).toMatchObject({ data: { runStatusChanged: { status: 'SUCCEEDED' } } });
  });
});

describe.each(ENGINES)('the explorer in Chromium, keys required (%s)', (engine) => {
  let s: Setup;
  let key: string;
  beforeAll(async () => {
    s = await setUp('keys', engine, { TIDEMARK_AUTH: 'required' });
    key = await createKey(s.storeEnv);
  });
  afterAll(() => tearDown(s));
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await s.b.shot(`failed-${engine}-${task.name.replace(/\W+/g, '-')}`);
  });

  it('loads the schema once the key is in the Headers tab', async () => {
    await s.b.page.goto(`${s.server.baseUrl}/graphql`);
    await typeHeaders(s.b.page, { Authorization: `Bearer ${key}` });
    await refetchSchema(s.b.page);
    const fields = await docsQueryFields(s.b.page);
    await s.b.shot(`keys-1-docs-${engine}`);
    expect(fields).toEqual(expect.arrayContaining(['contracts', 'runs']));
  });

  it('runs a typed query with the key', async () => {
    await typeQuery(s.b.page, QUERY);
    await run(s.b.page);
    const text = await waitForResult(s.b.page, (t) => t.includes('"contracts"'));
    await s.b.shot(`keys-2-query-${engine}`);
    expect(JSON.parse(text)).toMatchObject({ data: { contracts: expect.any(Array) } });
  });

  it('subscribes with the key from the Headers tab and shows the events', async () => {
    await typeQuery(s.b.page, SUBSCRIPTION);
    await run(s.b.page);
    const text = await ingestUntilShown(s.b, s.server, key);
    await s.b.shot(`keys-3-subscription-${engine}`);
    expect(JSON.parse(text)).toMatchObject({ data: { runStatusChanged: { status: 'SUCCEEDED' } } });
    await run(s.b.page); // stops the subscription
  });

  it('shows a refused key as an error in the result pane', async () => {
    await typeHeaders(s.b.page, { Authorization: 'Bearer tmk_nope_wrong' });
    await typeQuery(s.b.page, SUBSCRIPTION);
    await run(s.b.page);
    const text = await waitForResult(s.b.page, (t) => t.includes('refused'));
    await s.b.shot(`keys-4-refused-${engine}`);
    expect(text).toMatch(
      /the server refused the API key \(close 4403 Forbidden\): put Authorization: Bearer tmk_… in the Headers tab/,
    );
  });
});
