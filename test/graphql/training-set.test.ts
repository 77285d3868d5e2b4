/**
 * trainingSet over HTTP: a point-in-time join with one vector per input row, in
 * input order, `timestamp` the row's and `eventTime` the matched row's, an optional
 * TTL, set-based (the number of SQL queries does not grow with the rows).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/graphql/limits';
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
  - { name: change, window: { op: diff, column: price } }
`;

const E1 = '2024-05-01T00:00:00.000Z';
const E2 = '2024-05-02T00:00:00.000Z';
const RECORDS = [
  { ts: E1, item: 'apple', price: 1 },
  { ts: E2, item: 'apple', price: 1.5 },
  { ts: E1, item: 'pear', price: 4 },
];

const TRAINING = `query($rows: [EntityTimestampInput!]!, $features: [String!], $ttl: String, $version: String) {
  trainingSet(contract: "items", rows: $rows, features: $features, ttl: $ttl, version: $version) {
    entity timestamp eventTime values runId contractVersion features { name value type }
  }
}`;

type Vector = {
  entity: string;
  timestamp: string;
  eventTime: string | null;
  values: { price: number } | null;
};

describe(`trainingSet (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  let runId: string;

  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [ITEMS] });
    s = await startServer(rt);
    runId = (
      await s.ok(`mutation($r: [JSON!]!) { ingest(contract: "items", records: $r) { id } }`, { r: RECORDS })
    ).ingest.id;
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  const rows = (...pairs: Array<[string, string]>) =>
    pairs.map(([entity, timestamp]) => ({ entity, timestamp }));
  const brief = (v: Vector[]) => v.map((x) => [x.entity, x.timestamp, x.eventTime, x.values?.price ?? null]);

  it('answers one vector per input row, in input order, timestamp the row’s and eventTime the match’s', async () => {
    const input = rows(
      ['pear', '2024-05-03T00:00:00.000Z'],
      ['apple', '2024-05-01T06:00:00.000Z'],
      ['apple', '2024-04-30T00:00:00.000Z'],
      ['plum', '2024-05-02T00:00:00.000Z'],
      ['apple', E2],
      ['apple', '2024-05-01T06:00:00.000Z'],
    );
    const v = (await s.ok(TRAINING, { rows: input, features: ['price'] })).trainingSet as Vector[];
    expect(brief(v)).toEqual([
      ['pear', '2024-05-03T00:00:00.000Z', E1, 4],
      ['apple', '2024-05-01T06:00:00.000Z', E1, 1],
      ['apple', '2024-04-30T00:00:00.000Z', null, null],
      ['plum', '2024-05-02T00:00:00.000Z', null, null],
      ['apple', E2, E2, 1.5],
      ['apple', '2024-05-01T06:00:00.000Z', E1, 1],
    ]);
    expect(v[0]).toMatchObject({ runId, contractVersion: '1.0.0' });
    expect(v[2]).toMatchObject({ values: null, runId: null, contractVersion: null });
  });

  it('takes a bare date as a row timestamp: midnight UTC of that day', async () => {
    const v = (await s.ok(TRAINING, { rows: rows(['apple', '2024-05-03'], ['apple', '2024-04-30']) }))
      .trainingSet as Vector[];
    expect(brief(v)).toEqual([
      ['apple', '2024-05-03T00:00:00.000Z', E2, 1.5],
      ['apple', '2024-04-30T00:00:00.000Z', null, null],
    ]);
  });

  it('answers every feature of the contract by default, typed', async () => {
    const [v] = (await s.ok(TRAINING, { rows: rows(['apple', '2024-05-03T00:00:00.000Z']) })).trainingSet;
    expect(v.values).toEqual({ price: 1.5, change: 0.5 });
    expect(v.features).toEqual([
      { name: 'price', value: 1.5, type: 'number' },
      { name: 'change', value: 0.5, type: 'number' },
    ]);
  });

  it('excludes matches older than the ttl', async () => {
    const input = rows(
      ['pear', '2024-05-03T00:00:00.000Z'],
      ['apple', '2024-05-02T12:00:00.000Z'],
      ['apple', '2024-05-01T23:00:00.000Z'],
      ['pear', '2024-05-01T01:00:00.000Z'],
    );
    const without = (await s.ok(TRAINING, { rows: input, features: ['price'] })).trainingSet as Vector[];
    const within = (await s.ok(TRAINING, { rows: input, features: ['price'], ttl: 'P1D' }))
      .trainingSet as Vector[];
    expect(brief(without).map((r) => r[3])).toEqual([4, 1.5, 1, 4]);
    expect(brief(within)).toEqual([
      // Two days old: stale.
      ['pear', '2024-05-03T00:00:00.000Z', null, null],
      ['apple', '2024-05-02T12:00:00.000Z', E2, 1.5],
      ['apple', '2024-05-01T23:00:00.000Z', E1, 1],
      ['pear', '2024-05-01T01:00:00.000Z', E1, 4],
    ]);
    // A shorter ttl makes the 23-hour-old apple stale too, not an older one visible.
    const short = (await s.ok(TRAINING, { rows: input.slice(2, 3), features: ['price'], ttl: 'PT12H' }))
      .trainingSet as Vector[];
    expect(brief(short)).toEqual([['apple', '2024-05-01T23:00:00.000Z', null, null]]);
  });

  it('refuses an invalid ttl as BAD_USER_INPUT', async () => {
    expectError(
      await s.gql(TRAINING, { rows: rows(['apple', E2]), ttl: '1 day' }),
      'BAD_USER_INPUT',
      /ttl '1 day' is not an ISO-8601 duration/,
    );
  });

  it('refuses an unknown feature, a malformed timestamp and a wrong entity', async () => {
    expectError(
      await s.gql(TRAINING, { rows: rows(['apple', E2]), features: ['colour'] }),
      'BAD_USER_INPUT',
      /unknown feature\(s\) colour/,
    );
    expectError(
      await s.gql(TRAINING, { rows: [{ entity: 'apple', timestamp: 'soon' }] }),
      'BAD_USER_INPUT',
      /DateTime/,
    );
    expectError(
      await s.gql(TRAINING, {
        rows: [
          { entity: 'apple', timestamp: E2 },
          { entity: { colour: 'red' }, timestamp: E2 },
        ],
      }),
      'BAD_USER_INPUT',
      /rows\[1\]\.entity/,
    );
  });

  it(`refuses more than ${LIMITS.maxTrainingRows} rows as BAD_USER_INPUT`, async () => {
    const many = Array.from({ length: LIMITS.maxTrainingRows + 1 }, () => ({
      entity: 'apple',
      timestamp: E2,
    }));
    expectError(
      await s.gql(TRAINING, { rows: many, features: ['price'] }),
      'BAD_USER_INPUT',
      new RegExp(`rows has ${LIMITS.maxTrainingRows + 1} items; at most ${LIMITS.maxTrainingRows}`),
    );
  });

  it('runs as set-based SQL: the number of queries does not grow with the rows', async () => {
    const queries = () => {
      let n = 0;
      // Only the store's feature reads: the run-event poll may interleave under load.
      const count = (q: { sql: string }) => void (/feature_(rows|views)/.test(q.sql) && n++);
      rt.store.db.on('query', count);
      return { stop: () => (rt.store.db.off('query', count), n) };
    };
    const measure = async (n: number) => {
      const input = Array.from({ length: n }, (_, i) => ({
        entity: i % 2 ? 'apple' : 'pear',
        timestamp: new Date(Date.parse(E1) + i * 60_000).toISOString(),
      }));
      const q = queries();
      const v = (await s.ok(TRAINING, { rows: input, features: ['price'] })).trainingSet;
      expect(v).toHaveLength(n);
      return q.stop();
    };
    // The run queue keeps looking for work after answering; let it finish so only reads are counted.
    await rt.dispatcher.stop();
    // A first read warms what the store looks up once (the view's id).
    await measure(3);
    const few = await measure(3);
    const many = await measure(300);
    expect(few).toBeGreaterThan(0);
    expect(many).toBe(few);
  });
});
