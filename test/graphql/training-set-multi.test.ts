/**
 * trainingSetMulti over HTTP: two views, a key mapping, fullFeatureNames, knownAt, and
 * errors as BAD_USER_INPUT naming the row; trainingSet takes knownAt too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { expectError, startServer, type TestServer } from '../support/graphql';

const A = `
name: alpha
version: 1.0.0
owner: tests
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
  - { name: n, type: integer }
expectations: []
features:
  - { name: n, column: n }
`;
const B = `
name: beta
version: 1.0.0
owner: tests
entity: { name: thing, key: [sku] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: sku, type: string, required: true }
  - { name: n, type: number }
  - { name: seen, type: timestamp }
expectations: []
features:
  - { name: n, column: n }
  - { name: seen, column: seen }
`;

const QUERY = `query($rows: [EntityTimestampInput!]!, $features: [String!], $views: [TrainingViewInput!], $knownAt: DateTime, $full: Boolean) {
  trainingSetMulti(rows: $rows, features: $features, views: $views, knownAt: $knownAt, fullFeatureNames: $full) {
    entity timestamp values features { name type value } views { contract major eventTime runId contractVersion }
  }
}`;

describe(`trainingSetMulti (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  let between: string;

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [A, B] });
    s = await startServer(rt);
    const ingest = (contract: string, r: unknown[]) =>
      s.ok(`mutation($c: String!, $r: [JSON!]!) { ingest(contract: $c, records: $r) { id } }`, {
        c: contract,
        r,
      });
    await ingest('alpha', [{ ts: '2024-05-01T00:00:00Z', item: 'x', n: 1 }]);
    await ingest('beta', [{ ts: '2024-05-02T00:00:00Z', sku: 'x', n: 2.5, seen: '2024-04-30T10:00:00Z' }]);
    rt.clock.advance(60_000);
    between = new Date(rt.clock.now()).toISOString();
    rt.clock.advance(60_000);
    await ingest('alpha', [{ ts: '2024-05-01T00:00:00Z', item: 'x', n: 5 }]);
  });
  afterAll(async () => {
    await s.close();
    await rt.dispose();
  });

  const rows = [
    { entity: { item: 'x' }, timestamp: '2024-05-03T00:00:00Z' },
    { entity: { item: 'x' }, timestamp: '2024-05-01T12:00:00Z' },
    { entity: { item: 'y' }, timestamp: '2024-05-03T00:00:00Z' },
  ];
  const views = [{ contract: 'beta', keyMap: [{ column: 'sku', from: 'item' }] }];

  it('joins two views with a key mapping and full feature names', async () => {
    const d = await s.ok(QUERY, { rows, features: ['alpha:n'], views, full: true });
    expect(d.trainingSetMulti.map((r: { values: unknown }) => r.values)).toEqual([
      { beta__n: 2.5, beta__seen: '2024-04-30T10:00:00.000Z', alpha__n: 5 },
      { beta__n: null, beta__seen: null, alpha__n: 5 },
      { beta__n: null, beta__seen: null, alpha__n: null },
    ]);
    expect(d.trainingSetMulti[0].timestamp).toBe('2024-05-03T00:00:00.000Z');
    expect(d.trainingSetMulti[0].features[1]).toEqual({
      name: 'beta__seen',
      type: 'timestamp',
      value: '2024-04-30T10:00:00.000Z',
    });
    expect(d.trainingSetMulti[0].views.map((v: { contract: string }) => v.contract)).toEqual([
      'beta',
      'alpha',
    ]);
  });

  it('reads as known at knownAt, in trainingSetMulti and trainingSet alike', async () => {
    const d = await s.ok(QUERY, { rows, features: ['alpha:n'], knownAt: between });
    expect(d.trainingSetMulti[0].values).toEqual({ n: 1 });
    const t = await s.ok(
      `query($k: DateTime) { trainingSet(contract: "alpha", rows: [{entity: "x", timestamp: "2024-05-03T00:00:00Z"}], knownAt: $k) { values } }`,
      { k: between },
    );
    expect(t.trainingSet[0].values).toEqual({ n: 1 });
  });

  it('refuses a clash of output names and a bad row with BAD_USER_INPUT', async () => {
    expectError(
      await s.gql(QUERY, { rows, features: ['alpha:n'], views }),
      'BAD_USER_INPUT',
      /output column n would come from both beta and alpha/,
    );
    expectError(
      await s.gql(QUERY, {
        rows: [...rows, { entity: { sku: 'x' }, timestamp: '2024-05-03T00:00:00Z' }],
        features: ['alpha:n'],
      }),
      'BAD_USER_INPUT',
      /rows\[3\]: unknown spine column sku/,
    );
  });
});
