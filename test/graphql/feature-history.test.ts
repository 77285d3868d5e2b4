/**
 * featureHistory: one entity's values over event time, one per event time (a
 * correction wins over the row it corrects), as the store knew them at knownAt: a
 * rolled-back run's values disappear from now on and are still there before it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { expectError, startServer, type TestServer } from '../support/graphql';

const ITEMS = `
name: items
version: 1.0.0
owner: tests
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
  - { name: price, type: number }
expectations: []
features:
  - { name: price, column: price }
`;

const HISTORY = `query($entity: JSON!, $knownAt: DateTime, $first: Int) {
  featureHistory(contract: "items", entity: $entity, knownAt: $knownAt, first: $first) {
    eventTime values runId contractVersion
  }
}`;

describe(`featureHistory (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [ITEMS] });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  const ingest = async (records: unknown[]): Promise<{ id: string; committedAt: string }> => {
    rt.clock.advance(60_000);
    return (
      await s.ok(`mutation($r: [JSON!]!) { ingest(contract: "items", records: $r) { id committedAt } }`, {
        r: records,
      })
    ).ingest;
  };
  const history = async (vars: Record<string, unknown>) =>
    (await s.ok(HISTORY, vars)).featureHistory as Array<{
      eventTime: string;
      values: { price: number };
      runId: string;
    }>;
  const prices = (h: Array<{ eventTime: string; values: { price: number } }>) =>
    h.map((v) => `${v.eventTime.slice(0, 10)}=${v.values.price}`);

  it('answers each event time once, ascending, and replays what the store knew', async () => {
    const first = await ingest([
      { ts: '2024-05-01T00:00:00Z', item: 'apple', price: 1 },
      { ts: '2024-05-02T00:00:00Z', item: 'apple', price: 2 },
      { ts: '2024-05-01T00:00:00Z', item: 'pear', price: 9 },
    ]);
    const correction = await ingest([
      { ts: '2024-05-02T00:00:00Z', item: 'apple', price: 2.5 },
      { ts: '2024-05-03T00:00:00Z', item: 'apple', price: 3 },
    ]);
    expect(prices(await history({ entity: 'apple' }))).toEqual([
      '2024-05-01=1',
      '2024-05-02=2.5',
      '2024-05-03=3',
    ]);
    expect((await history({ entity: 'apple' })).map((v) => v.runId)).toEqual([
      first.id,
      correction.id,
      correction.id,
    ]);

    rt.clock.advance(60_000);
    await s.ok('mutation($id: ID!) { rollbackRun(id: $id) { status } }', { id: correction.id });
    expect(prices(await history({ entity: 'apple' }))).toEqual(['2024-05-01=1', '2024-05-02=2']);
    // Known at the correction's commit: as it was before the rollback; before it: the first run only.
    expect(prices(await history({ entity: 'apple', knownAt: correction.committedAt }))).toEqual([
      '2024-05-01=1',
      '2024-05-02=2.5',
      '2024-05-03=3',
    ]);
    const before = new Date(Date.parse(correction.committedAt) - 1).toISOString();
    expect(prices(await history({ entity: 'apple', knownAt: before }))).toEqual([
      '2024-05-01=1',
      '2024-05-02=2',
    ]);
    expect(await history({ entity: 'apple', knownAt: new Date(Date.parse(first.committedAt) - 1) })).toEqual(
      [],
    );
    // `first` keeps the newest event times.
    expect(prices(await history({ entity: 'apple', knownAt: correction.committedAt, first: 2 }))).toEqual([
      '2024-05-02=2.5',
      '2024-05-03=3',
    ]);
    expect(await history({ entity: 'plum' })).toEqual([]);
  });

  it('refuses a bad entity or page size with a typed error naming it', async () => {
    expectError(
      await s.gql(HISTORY, { entity: 'apple', first: 0 }),
      'BAD_USER_INPUT',
      /first must be between 1 and 500/,
    );
    expectError(await s.gql(HISTORY, { entity: { nope: 1 } }), 'BAD_USER_INPUT', /entity/);
  });
});
