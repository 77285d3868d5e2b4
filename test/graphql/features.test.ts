/**
 * features(contract, version, entities, features, asOf, knownAt, environment) over
 * HTTP: values as a map and as a typed list, point in time, system time, exact
 * version vs major, composite keys, bounds and refusals.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/graphql/limits';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { cardRecords, expectError, repoFile, startServer, type TestServer } from '../support/graphql';

function items(version: string, extraFeature = ''): string {
  return `
name: items
version: ${version}
owner: tests
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
  - { name: price, type: number }
  - { name: qty, type: integer }
  - { name: on_sale, type: boolean }
  - { name: day, type: date }
expectations: []
features:
  - { name: price, column: price }
  - { name: qty, column: qty }
  - { name: on_sale, column: on_sale }
  - { name: day, column: day }
  - { name: change, window: { op: diff, column: price } }
  - { name: revenue, expr: 'price * qty' }
${extraFeature}
`;
}

const STOCK = `
name: stock
version: 1.0.0
owner: tests
entity: { name: shelf, key: [store, sku] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: store, type: string, required: true }
  - { name: sku, type: integer, required: true }
  - { name: on_hand, type: integer }
expectations: []
features:
  - { name: on_hand, column: on_hand }
`;

const INGEST = `mutation($c: String!, $r: [JSON!]!) { ingest(contract: $c, records: $r) { id status contractVersion } }`;
const FEATURES = `query($contract: String!, $entities: [JSON!]!, $features: [String!], $version: String, $asOf: DateTime, $knownAt: DateTime, $environment: String) {
  features(contract: $contract, entities: $entities, features: $features, version: $version, asOf: $asOf, knownAt: $knownAt, environment: $environment) {
    entity timestamp eventTime values runId contractVersion features { name value type }
  }
}`;

const E1 = '2024-05-01T00:00:00.000Z';
const E2 = '2024-05-02T00:00:00.000Z';

describe(`features (${testEngine()})`, () => {
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

  const ingest = async (records: unknown[], contract = 'items') => {
    const run = (await s.ok(INGEST, { c: contract, r: records })).ingest;
    expect(run.status).toBe('SUCCEEDED');
    return run as { id: string; contractVersion: string };
  };
  const features = (vars: Record<string, unknown>) => s.gql(FEATURES, { contract: 'items', ...vars });
  const vectors = async (vars: Record<string, unknown>) =>
    (await s.ok(FEATURES, { contract: 'items', ...vars })).features;

  const TWO_DAYS = [
    { ts: E1, item: 'apple', price: 1, qty: 2, on_sale: false, day: '2024-05-01' },
    { ts: E2, item: 'apple', price: 1.5, qty: 3, on_sale: true, day: '2024-05-02' },
    { ts: E1, item: 'pear', price: 4, qty: 1, on_sale: null, day: null },
  ];

  it('answers values as a map and as a typed list, in contract order', async () => {
    const run = await ingest(TWO_DAYS);
    const [apple] = await vectors({ entities: ['apple'] });
    expect(apple).toEqual({
      entity: 'apple',
      timestamp: null,
      eventTime: E2,
      values: { price: 1.5, qty: 3, on_sale: true, day: '2024-05-02', change: 0.5, revenue: 4.5 },
      runId: run.id,
      contractVersion: '1.0.0',
      features: [
        { name: 'price', value: 1.5, type: 'number' },
        { name: 'qty', value: 3, type: 'integer' },
        { name: 'on_sale', value: true, type: 'boolean' },
        { name: 'day', value: '2024-05-02', type: 'date' },
        { name: 'change', value: 0.5, type: 'number' },
        { name: 'revenue', value: 4.5, type: 'number' },
      ],
    });
  });

  it('answers in the order of the requested entities, with a subset of features', async () => {
    await ingest(TWO_DAYS);
    const v = await vectors({ entities: ['pear', 'apple', 'pear'], features: ['revenue', 'on_sale'] });
    expect(v.map((x: { entity: string; values: unknown }) => [x.entity, x.values])).toEqual([
      ['pear', { revenue: 4, on_sale: null }],
      ['apple', { revenue: 4.5, on_sale: true }],
      ['pear', { revenue: 4, on_sale: null }],
    ]);
    expect(v[1].features).toEqual([
      { name: 'revenue', value: 4.5, type: 'number' },
      { name: 'on_sale', value: true, type: 'boolean' },
    ]);
  });

  it('answers values null for an unknown entity', async () => {
    await ingest(TWO_DAYS);
    const [v] = await vectors({ entities: ['plum'], features: ['price'] });
    expect(v).toEqual({
      entity: 'plum',
      timestamp: null,
      eventTime: null,
      values: null,
      runId: null,
      contractVersion: null,
      features: [{ name: 'price', value: null, type: 'number' }],
    });
  });

  it('refuses an unknown feature name as BAD_USER_INPUT, naming it', async () => {
    await ingest(TWO_DAYS);
    expectError(
      await features({ entities: ['apple'], features: ['price', 'colour'] }),
      'BAD_USER_INPUT',
      /unknown feature\(s\) colour in items@1\.0\.0/,
    );
  });

  it('answers differently as of two different times', async () => {
    await ingest(TWO_DAYS);
    const at = async (asOf: string) => (await vectors({ entities: ['apple'], features: ['price'], asOf }))[0];
    const day1 = await at('2024-05-01T12:00:00.000Z');
    const day2 = await at('2024-05-03T00:00:00.000Z');
    expect(day1).toMatchObject({
      timestamp: '2024-05-01T12:00:00.000Z',
      eventTime: E1,
      values: { price: 1 },
    });
    expect(day2).toMatchObject({
      timestamp: '2024-05-03T00:00:00.000Z',
      eventTime: E2,
      values: { price: 1.5 },
    });
    // Exactly at an event time, that row counts; before every row, nothing matches.
    expect((await at(E2)).values).toEqual({ price: 1.5 });
    expect(await at('2024-04-30T00:00:00.000Z')).toMatchObject({ eventTime: null, values: null });
  });

  it('takes a bare date for asOf and knownAt, as midnight UTC, in variables and literals', async () => {
    await ingest(TWO_DAYS);
    const [v] = await vectors({ entities: ['apple'], features: ['price'], asOf: '2024-05-02' });
    expect(v).toMatchObject({ timestamp: E2, eventTime: E2, values: { price: 1.5 } });
    const literal = await s.ok(
      `{ features(contract: "items", entities: ["apple"], features: ["price"], asOf: "2024-05-01", knownAt: "2099-01-01") { timestamp values } }`,
    );
    expect(literal.features).toEqual([{ timestamp: E1, values: { price: 1 } }]);
    // A day that does not exist is refused, like any malformed date-time.
    expectError(
      await features({ entities: ['apple'], asOf: '2024-02-30' }),
      'BAD_USER_INPUT',
      /DateTime '2024-02-30' is neither a date-time \(2020-03-15T12:00:00Z\) nor a date \(2020-03-15\)/,
    );
    expectError(await features({ entities: ['apple'], knownAt: '2024-5-1' }), 'BAD_USER_INPUT', /DateTime/);
  });

  it('answers as the store knew it at knownAt', async () => {
    const t1 = rt.clock.now();
    const first = await ingest([{ ts: E1, item: 'apple', price: 1, qty: 1 }]);
    rt.clock.advance(3_600_000);
    const t2 = rt.clock.now();
    // A correction of the same event time, committed an hour later.
    const second = await ingest([{ ts: E1, item: 'apple', price: 1.1, qty: 1 }]);
    const at = async (knownAt?: number) =>
      (
        await vectors({
          entities: ['apple'],
          features: ['price'],
          knownAt: knownAt === undefined ? undefined : new Date(knownAt).toISOString(),
        })
      )[0];
    expect(await at()).toMatchObject({ values: { price: 1.1 }, runId: second.id });
    expect(await at(t2)).toMatchObject({ values: { price: 1.1 }, runId: second.id });
    expect(await at(t2 - 1)).toMatchObject({ values: { price: 1 }, runId: first.id });
    expect(await at(t1)).toMatchObject({ values: { price: 1 }, runId: first.id });
    expect(await at(t1 - 1)).toMatchObject({ values: null, runId: null });
  });

  it('reads an exact version only from its own rows, a major from the whole view', async () => {
    const old = await ingest([{ ts: E1, item: 'apple', price: 1, qty: 1 }]);
    await rt.apply(items('1.1.0', "  - { name: double, expr: 'price * 2' }"));
    const newer = await ingest([{ ts: E2, item: 'apple', price: 2, qty: 1 }]);
    expect(newer.contractVersion).toBe('1.1.0');

    const exactOld = (await vectors({ entities: ['apple'], version: '1.0.0' }))[0];
    expect(exactOld).toMatchObject({
      contractVersion: '1.0.0',
      runId: old.id,
      eventTime: E1,
      values: { price: 1 },
    });
    expect(exactOld.values).not.toHaveProperty('double');

    const major = (await vectors({ entities: ['apple'], version: '1' }))[0];
    expect(major).toMatchObject({
      contractVersion: '1.1.0',
      runId: newer.id,
      eventTime: E2,
      values: { price: 2, double: 4 },
    });
    const exactNew = (await vectors({ entities: ['apple'], version: '1.1.0' }))[0];
    expect(exactNew).toMatchObject({ contractVersion: '1.1.0', runId: newer.id });

    expectError(
      await features({ entities: ['apple'], version: '1.2.0' }),
      'NOT_FOUND',
      /items@1\.2\.0 is not registered/,
    );
    expectError(
      await features({ entities: ['apple'], version: '2' }),
      'NOT_FOUND',
      /major 2 has no active version in dev/,
    );
    expectError(await features({ entities: ['apple'], version: 'v1' }), 'BAD_USER_INPUT', /semantic version/);
  });

  it(`refuses more than ${LIMITS.maxEntities} entities as BAD_USER_INPUT`, async () => {
    const entities = Array.from({ length: LIMITS.maxEntities + 1 }, (_, i) => `item${i}`);
    expectError(
      await features({ entities }),
      'BAD_USER_INPUT',
      new RegExp(`entities has ${LIMITS.maxEntities + 1} items; at most ${LIMITS.maxEntities}`),
    );
    // The bound itself is allowed.
    expect(
      await vectors({ entities: entities.slice(0, LIMITS.maxEntities), features: ['price'] }),
    ).toHaveLength(LIMITS.maxEntities);
  });

  it('refuses an unknown contract, an unknown environment and a malformed asOf', async () => {
    expectError(
      await s.gql(FEATURES, { contract: 'nope', entities: ['a'] }),
      'NOT_FOUND',
      /contract 'nope' is not registered/,
    );
    expectError(
      await features({ entities: ['a'], environment: 'qa' }),
      'BAD_USER_INPUT',
      /environment must be one of/,
    );
    expectError(await features({ entities: ['a'], asOf: 'yesterday' }), 'BAD_USER_INPUT', /DateTime/);
    expectError(await features({ entities: [{ sku: 1 }] }), 'BAD_USER_INPUT', /entities\[0\]/);
  });

  it('reads a composite-key entity given as an object and answers it as one', async () => {
    await rt.apply(STOCK);
    await ingest(
      [
        { ts: E1, store: 's1', sku: 7, on_hand: 10 },
        { ts: E1, store: 's2', sku: 7, on_hand: 20 },
        { ts: E2, store: 's1', sku: 7, on_hand: 8 },
      ],
      'stock',
    );
    const v = (
      await s.ok(FEATURES, {
        contract: 'stock',
        entities: [
          { store: 's2', sku: 7 },
          { sku: '7', store: 's1' },
          { store: 's1', sku: 8 },
        ],
      })
    ).features;
    expect(v.map((x: { entity: unknown; values: unknown }) => [x.entity, x.values])).toEqual([
      [{ store: 's2', sku: 7 }, { on_hand: 20 }],
      [{ store: 's1', sku: 7 }, { on_hand: 8 }],
      [{ store: 's1', sku: 8 }, null],
    ]);
    expectError(
      await s.gql(FEATURES, { contract: 'stock', entities: ['s1'] }),
      'BAD_USER_INPUT',
      /entities\[0\]/,
    );
    expectError(
      await s.gql(FEATURES, { contract: 'stock', entities: [{ store: 's1' }] }),
      'BAD_USER_INPUT',
      /entities\[0\].*sku/,
    );
  });
});

describe(`features of the card_transactions sample (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;

  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [repoFile('contracts/card_transactions.yaml')] });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  it('gives different answers as of two different times, each the latest transaction before it', async () => {
    const records = cardRecords();
    await s.ok(INGEST, { c: 'card_transactions', r: records });
    const card = 'card00210866';
    const mine = records
      .filter((r) => r.card_id === card)
      .sort((a, b) => String(a.ts).localeCompare(String(b.ts)));
    const latestBefore = (asOf: string) => mine.filter((r) => String(r.ts) <= asOf).at(-1)!;
    const q = `query($asOf: DateTime) { features(contract: "card_transactions", entities: ["${card}"], features: ["amount"], asOf: $asOf) { eventTime values } }`;
    const asOf1 = '2024-03-02T00:00:00.000Z';
    const asOf2 = '2024-03-05T00:00:00.000Z';
    const [a] = (await s.ok(q, { asOf: asOf1 })).features;
    const [b] = (await s.ok(q, { asOf: asOf2 })).features;
    expect(a).toEqual({ eventTime: latestBefore(asOf1).ts, values: { amount: latestBefore(asOf1).amount } });
    expect(b).toEqual({ eventTime: latestBefore(asOf2).ts, values: { amount: latestBefore(asOf2).amount } });
    expect(a).not.toEqual(b);
  });
});
