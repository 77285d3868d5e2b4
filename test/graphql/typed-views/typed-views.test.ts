/**
 * Typed feature views over HTTP and WebSocket: one field per active contract major under
 * `featureView`, with each feature's GraphQL type and description; values read typed
 * (integers stay integers, nulls stay null, timestamps are DateTime), asOf and knownAt;
 * a new major applied while serving shows in introspection at once on both transports;
 * the query limits apply to the generated fields.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { testEngine } from '../../support/engine';
import { parseContract } from '../../../src/contracts/parse';
import { createServer } from '../../../src/server';
import { createTestRuntime, type TestRuntime } from '../../support/runtime';
import { expectError, startServer, type Loose, type TestServer } from '../../support/graphql';

function items(version: string, extra = ''): string {
  return `
name: items
version: ${version}
owner: tests
description: Prices and stock per item.
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
  - { name: price, type: number, description: Unit price in euros. }
  - { name: qty, type: integer }
  - { name: on_sale, type: boolean }
  - { name: day, type: date }
expectations: []
features:
  - { name: price, column: price }
  - { name: qty, column: qty }
  - { name: on_sale, column: on_sale }
  - { name: day, column: day }
  - { name: seen, column: ts }
  - { name: qty_3, window: { op: sum, column: qty, rows: 3 } }
  - { name: qty_mean, window: { op: mean, column: qty, rows: 3 } }
  - { name: revenue, expr: 'price * qty', description: Price times quantity. }
  - { name: label, expr: 'item + "!"' }
${extra}`;
}

const INGEST = `mutation($c: String!, $r: [JSON!]!) { ingest(contract: $c, records: $r) { id status } }`;
const APPLY = `mutation($y: String!) { applyContract(yaml: $y) { status } }`;
const VIEW_TYPE = `query($t: String!) { __type(name: $t) { name description fields { name description type { kind name ofType { name } } } } }`;
const VIEW_FIELDS = `{ __type(name: "FeatureView") { fields { name } } }`;
const ITEMS = `query($e: [JSON!]!, $asOf: DateTime, $knownAt: DateTime) {
  featureView { items_v1(entities: $e, asOf: $asOf, knownAt: $knownAt) {
    entity timestamp eventTime contractVersion price qty on_sale day seen qty_3 qty_mean revenue label
  } }
}`;

const E1 = '2024-05-01T00:00:00.000Z';
const E2 = '2024-05-02T00:00:00.000Z';
const BIG = 2 ** 40;

describe(`typed feature views (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;

  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [items('1.0.0')] });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  const ingest = async (records: unknown[]) => {
    expect((await s.ok(INGEST, { c: 'items', r: records })).ingest.status).toBe('SUCCEEDED');
  };
  const fieldTypes = async (typeName: string) => {
    const t = (await s.ok(VIEW_TYPE, { t: typeName })).__type;
    return Object.fromEntries(
      t.fields.map((f: Loose) => [f.name, f.type.name ?? `${f.type.ofType.name}!`]),
    ) as Record<string, string>;
  };

  it('generates an object type per contract major with typed, described feature fields', async () => {
    expect(await fieldTypes('ItemsV1')).toEqual({
      entity: 'JSON!',
      timestamp: 'DateTime',
      eventTime: 'DateTime',
      runId: 'ID',
      contractVersion: 'String',
      price: 'Float',
      qty: 'SafeInt',
      on_sale: 'Boolean',
      day: 'Date',
      seen: 'DateTime',
      qty_3: 'SafeInt',
      qty_mean: 'Float',
      revenue: 'Float',
      label: 'String',
    });
    const t = (await s.ok(VIEW_TYPE, { t: 'ItemsV1' })).__type;
    expect(t.description).toBe('items major 1 (fields of 1.0.0): Prices and stock per item.');
    const described = Object.fromEntries(t.fields.map((f: Loose) => [f.name, f.description]));
    expect(described.price).toBe('Unit price in euros. (float)');
    expect(described.revenue).toBe('Price times quantity. (float)');
    expect(described.qty_3).toBe('sum of qty over the last 3 rows per entity (int)');
    // FeatureDefinition says the same.
    const c = (await s.ok(`{ contract(name: "items") { features { name type description } } }`)).contract;
    expect(c.features.find((f: Loose) => f.name === 'qty_mean')).toEqual({
      name: 'qty_mean',
      type: 'float',
      description: 'mean of qty over the last 3 rows per entity',
    });
  });

  it('reads typed values: integers stay integers, nulls stay null, timestamps are DateTime', async () => {
    await ingest([
      { ts: E1, item: 'apple', price: 1, qty: BIG, on_sale: false, day: '2024-05-01' },
      { ts: E2, item: 'apple', price: 1.5, qty: 3, on_sale: true, day: '2024-05-02' },
      { ts: E1, item: 'pear', price: 4, qty: null, on_sale: null, day: null },
    ]);
    const res = await s.gql(ITEMS, { e: ['apple', 'pear', 'plum'] });
    expect(res.errors).toBeUndefined();
    const [apple, pear, plum] = res.data.featureView.items_v1;
    expect(apple).toEqual({
      entity: 'apple',
      timestamp: null,
      eventTime: E2,
      contractVersion: '1.0.0',
      price: 1.5,
      qty: 3,
      on_sale: true,
      day: '2024-05-02',
      seen: E2,
      qty_3: BIG + 3,
      qty_mean: (BIG + 3) / 2,
      revenue: 4.5,
      label: 'apple!',
    });
    expect(Number.isInteger(apple.qty_3)).toBe(true);
    expect(pear).toMatchObject({ qty: null, on_sale: null, day: null, qty_3: null, revenue: null, price: 4 });
    expect(plum).toMatchObject({ entity: 'plum', eventTime: null, price: null, qty: null, label: null });
  });

  it('answers as of a point in time and as the store knew it', async () => {
    await ingest([{ ts: E1, item: 'apple', price: 1, qty: 1 }]);
    const before = rt.clock.now();
    rt.clock.advance(3_600_000);
    await ingest([{ ts: E2, item: 'apple', price: 2, qty: 2 }]);
    const read = async (vars: Record<string, unknown>) =>
      (await s.ok(ITEMS, { e: ['apple'], ...vars })).featureView.items_v1[0];
    expect(await read({})).toMatchObject({ price: 2, qty: 2, eventTime: E2 });
    expect(await read({ asOf: E1 })).toMatchObject({ price: 1, qty: 1, eventTime: E1, timestamp: E1 });
    expect(await read({ knownAt: new Date(before).toISOString() })).toMatchObject({
      price: 1,
      eventTime: E1,
    });
  });

  it('adds the field of a newly applied major at once, seen by introspection over HTTP and WebSocket', async () => {
    const client = await s.wsClient();
    const names = async (c?: Client) => {
      const data = c ? await wsQuery(c, VIEW_FIELDS) : await s.ok(VIEW_FIELDS);
      return data.__type.fields.map((f: Loose) => f.name);
    };
    expect(await names()).toEqual(['items_v1']);
    expect(await names(client)).toEqual(['items_v1']);
    // A breaking change (a feature removed) needs a new major.
    const v2 = items('2.0.0').replace('  - { name: label, expr: \'item + "!"\' }\n', '');
    expect((await s.ok(APPLY, { y: v2 })).applyContract.status).toBeDefined();
    expect(await names()).toEqual(['items_v1', 'items_v2']);
    expect(await names(client)).toEqual(['items_v1', 'items_v2']);
    expect(await fieldTypes('ItemsV2')).not.toHaveProperty('label');
    // And the new field answers, on both transports.
    await ingest([{ ts: E1, item: 'apple', price: 3, qty: 7 }]);
    const q = `{ featureView { items_v2(entities: ["apple"]) { qty } } }`;
    expect((await s.ok(q)).featureView.items_v2).toEqual([{ qty: 7 }]);
    expect((await wsQuery(client, q)).featureView.items_v2).toEqual([{ qty: 7 }]);
  });

  /**
   * A second server on the same store, polling every `refreshMs`: the typed view fields it
   * serves once `change` is made, waiting up to `waitMs` for them to change.
   */
  async function servedAfter(refreshMs: number, change: () => Promise<unknown>, waitMs: number) {
    const other = await createServer(rt, { typedViewRefreshMs: refreshMs });
    const port = await other.listen(0, '127.0.0.1');
    try {
      const names = async () => {
        const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: VIEW_FIELDS }),
        });
        const body = (await res.json()) as Loose;
        return body.data.__type.fields.map((f: Loose) => f.name) as string[];
      };
      expect(await names()).toEqual(['items_v1']);
      await change();
      let seen = await names();
      for (const until = Date.now() + waitMs; Date.now() < until && seen.length === 1;) {
        await new Promise((r) => setTimeout(r, 20));
        seen = await names();
      }
      return seen;
    } finally {
      await other.stop();
    }
  }
  const v2 = () => items('2.0.0').replace('  - { name: label, expr: \'item + "!"\' }\n', '');

  it('picks up a major applied by another process at its next poll', async () => {
    // Straight into the registry, as `tidemark contracts apply` does: no mutation tells the server.
    expect(await servedAfter(20, () => rt.apply(v2()), 10_000)).toEqual(['items_v1', 'items_v2']);
  });

  it('serves a major applied in this process outside GraphQL at once, without waiting for the poll', async () => {
    // As `tidemark serve` syncs contracts/ after binding its port: through the lifecycle,
    // with no mutation to tell the schema. The poll is an hour, so only the change event counts.
    const change = () => rt.contracts.apply([parseContract(v2(), 'items.yaml')], 'system:serve');
    expect(await servedAfter(3_600_000, change, 2_000)).toEqual(['items_v1', 'items_v2']);
  });

  it('applies the query limits to the generated fields', async () => {
    const aliased = Array.from(
      { length: 101 },
      (_, i) => `a${i}: items_v1(entities: ["apple"]) { qty }`,
    ).join(' ');
    expectError(await s.gql(`{ featureView { ${aliased} } }`), 'BAD_USER_INPUT', /alias/);
    // A list without `first` counts as 10: 60 aliased reads of 10 fields are over 5,000.
    const fields = 'price qty on_sale day seen qty_3 qty_mean revenue label entity';
    const wide = Array.from(
      { length: 60 },
      (_, i) => `a${i}: items_v1(entities: ["apple"]) { ${fields} }`,
    ).join(' ');
    expectError(await s.gql(`{ featureView { ${wide} } }`), 'BAD_USER_INPUT', /complexity/);
    const client = await s.wsClient();
    await expect(wsQuery(client, `{ featureView { ${aliased} } }`)).rejects.toThrow(/alias/);
  });

  it('refuses bad entities as the generic features field does', async () => {
    const res = await s.gql(`{ featureView { items_v1(entities: [{ a: 1 }]) { qty } } }`);
    expectError(res, 'BAD_USER_INPUT', /entities\[0\]/);
  });
});

/** One query over graphql-ws; rejects with the errors' messages. */
function wsQuery(client: Client, query: string): Promise<Loose> {
  return new Promise((resolve, reject) => {
    let data: Loose;
    client.subscribe(
      { query },
      {
        next: (r) => {
          if (r.errors) reject(new Error(r.errors.map((e) => e.message).join('; ')));
          data = r.data;
        },
        error: (err) =>
          reject(
            new Error(Array.isArray(err) ? err.map((e) => (e as Error).message).join('; ') : String(err)),
          ),
        complete: () => resolve(data),
      },
    );
  });
}
