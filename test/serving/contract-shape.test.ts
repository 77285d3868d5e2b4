/**
 * The online read shapes its vectors with per-version cached shapes (contract-shape.ts);
 * the training set still shapes them with FeatureService's own `shape`, the reference.
 * For the same entities at the same time both reads must answer the same vectors, and
 * refuse the same inputs with the same messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractShape } from '../../src/serving/contract-shape';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';

const STOCK = `
name: stock
version: 1.0.0
owner: tests
entity: { name: shelf, key: [store, day] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: store, type: string, required: true }
  - { name: day, type: date, required: true }
  - { name: on_hand, type: integer }
  - { name: price, type: number }
  - { name: seen, type: timestamp }
  - { name: open, type: boolean }
expectations: []
features:
  - { name: on_hand, column: on_hand }
  - { name: price, column: price }
  - { name: seen, column: seen }
  - { name: open, column: open }
  - { name: day, column: day }
  - { name: moved, window: { op: diff, column: on_hand } }
  - { name: worth, expr: 'price * on_hand' }
`;

const T = new Date('2024-06-01T00:00:00Z');

describe(`online feature shapes vs the reference shape (${testEngine()})`, () => {
  let rt: TestRuntime;

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [STOCK] });
    const records = [
      {
        ts: '2024-05-01T10:00:00Z',
        store: 'a',
        day: '2024-05-01',
        on_hand: 3,
        price: 2.5,
        seen: '2024-05-01T09:00:00Z',
        open: true,
      },
      {
        ts: '2024-05-02T10:00:00Z',
        store: 'a',
        day: '2024-05-01',
        on_hand: 5,
        price: null,
        seen: null,
        open: false,
      },
      {
        ts: '2024-05-01T10:00:00Z',
        store: 'b',
        day: '2024-05-02',
        on_hand: null,
        price: 1,
        seen: '2024-05-03T00:00:00Z',
        open: null,
      },
    ];
    const run = await rt.runs.ingest({ contract: 'stock', environment: 'dev', records, actor: 'test' });
    expect(run.status).toBe('succeeded');
  });
  afterAll(async () => {
    await rt.dispose();
  });

  const entities = [
    { store: 'a', day: '2024-05-01' },
    { store: 'b', day: '2024-05-02' },
    { store: 'zz', day: '2024-05-01' },
    { store: ' a ', day: ' 2024-05-01 ' },
    { store: 'a', day: '2024-05-01' },
  ];
  const online = (features?: string[], es: unknown[] = entities) =>
    rt.features.features({ contract: 'stock', entities: es, features, asOf: T, environment: 'dev' });
  const reference = (features?: string[], es: unknown[] = entities) =>
    rt.features.trainingSet({
      contract: 'stock',
      rows: es.map((entity) => ({ entity, timestamp: T })),
      features,
      environment: 'dev',
    });

  it('answers every feature alike, matched or not, temporal values formatted', async () => {
    const got = await online();
    const want = await reference();
    // JSON first: `features` is built on first access, and must serialise like a plain property.
    expect(JSON.stringify(got)).toBe(JSON.stringify(want));
    expect(got).toEqual(want);
    expect(Object.keys(got[0]!)).toEqual(Object.keys(want[0]!));
    expect(got[0]!.values).toMatchObject({ on_hand: 5, day: '2024-05-01', moved: 2 });
    expect(got[1]!.values).toMatchObject({ seen: '2024-05-03T00:00:00.000Z', open: null });
    expect(got[2]!.values).toBeNull();
  });

  it('answers a subset, in the asked order, with repeats, alike', async () => {
    for (const features of [['worth', 'seen'], ['day'], ['open', 'open', 'price'], []]) {
      expect(await online(features)).toEqual(await reference(features));
    }
  });

  it('refuses unknown features and bad keys with the same messages', async () => {
    const message = (p: Promise<unknown>) =>
      p.then(
        () => 'answered',
        (e: Error) => e.message,
      );
    expect(await message(online(['nope', 'price']))).toBe(await message(reference(['nope', 'price'])));
    const bad = [{ store: 'a' }];
    const [a, b] = [await message(online(undefined, bad)), await message(reference(undefined, bad))];
    expect(a.replace('entities[0]', 'X')).toBe(b.replace('rows[0].entity', 'X'));
    expect(a).toMatch(/^entities\[0\]: entity key needs columns store, day; missing day/);
  });

  it('derives a shape once per registered version', async () => {
    const c = await rt.registry.resolve('stock', undefined, 'dev');
    expect(contractShape(c)).toBe(contractShape(c));
    expect(contractShape(c).all).toEqual(['on_hand', 'price', 'seen', 'open', 'day', 'moved', 'worth']);
  });
});
