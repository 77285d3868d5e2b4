/**
 * trainingSet builds its vectors with TrainingShape (per call: key encoding and
 * decoding once per distinct key, one pass per vector, the stored values object
 * reused when it holds exactly the asked features) while the store's matches
 * arrive. A reference here builds them the plain way, row by row, from single-row
 * pointInTime answers: both must agree on every row, with and without a match, for
 * composite and scalar keys, temporal and plain features, subsets, repeats and TTL,
 * and refuse the same inputs with the same messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { decodeEntityKey } from '../../src/pipeline/entity-key';
import { entityKeyDefinition } from '../../src/pipeline/entity-key-definition';
import { formatTemporal } from '../../src/pipeline/coerce';
import { featureTypes } from '../../src/contracts/served-types';
import { parseIsoDuration } from '../../src/lib/duration';
import type { FeatureVector } from '../../src/serving/feature.service';
import type { Value } from '../../src/domain/value';

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
expectations: []
features:
  - { name: on_hand, column: on_hand }
  - { name: price, column: price }
  - { name: seen, column: seen }
  - { name: day, column: day }
  - { name: worth, expr: 'price * on_hand' }
`;

const PLAIN = `
name: plain
version: 1.0.0
owner: tests
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
  - { name: a, type: number }
  - { name: b, type: integer }
  - { name: c, type: string }
expectations: []
features:
  - { name: a, column: a }
  - { name: b, column: b }
  - { name: c, column: c }
`;

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 4, 1);

describe(`trainingSet vectors vs a row-by-row reference (${testEngine()})`, () => {
  let rt: TestRuntime;

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [STOCK, PLAIN] });
    const stock = [];
    const plain = [];
    for (let d = 0; d < 6; d++) {
      for (const store of ['a', 'b']) {
        stock.push({
          ts: new Date(T0 + d * DAY + 3_600_000).toISOString(),
          store,
          day: '2024-05-01',
          on_hand: d % 3 === 0 ? null : d,
          price: store === 'a' ? 1.5 + d : null,
          seen: d % 2 ? new Date(T0 + d * DAY).toISOString() : null,
        });
      }
      for (const item of ['x', 'y', 'z']) {
        plain.push({
          ts: new Date(T0 + d * DAY).toISOString(),
          item,
          a: d / 3,
          b: d,
          c: item === 'z' ? null : `${item}${d}`,
        });
      }
    }
    for (const [contract, records] of [
      ['stock', stock],
      ['plain', plain],
    ] as const) {
      // Two runs, the second overwriting the last days: ties go to the later run.
      for (const part of [records, records.slice(-4).map((r) => ({ ...r }))]) {
        const run = await rt.runs.ingest({ contract, environment: 'dev', records: part, actor: 'test' });
        expect(run.status).toBe('succeeded');
        rt.clock.advance(60_000);
      }
    }
  });
  afterAll(async () => {
    await rt.dispose();
  });

  /** FeatureService's vectors built the plain way: one pointInTime per row. */
  async function reference(
    contract: string,
    rows: Array<{ entity: unknown; timestamp: Date }>,
    features?: string[],
    ttl?: string,
  ): Promise<FeatureVector[]> {
    const c = await rt.registry.resolve(contract, undefined, 'dev');
    const types = featureTypes(c.contract);
    const keyTypes = Object.fromEntries(c.contract.schema.map((s) => [s.name, s.type]));
    const names = features ?? [...types.keys()];
    const out: FeatureVector[] = [];
    for (const r of rows) {
      const key = entityKeyDefinition(c.contract).fromInput(r.entity);
      const [m] = await rt.store.features.pointInTime(
        { environment: 'dev', contract, major: 1 },
        [{ entityKey: key, at: r.timestamp.getTime() }],
        { ttlMs: ttl === undefined ? undefined : parseIsoDuration(ttl) },
      );
      const fs = names.map((name) => {
        const type = types.get(name)!;
        let value: Value = m?.values[name] ?? null;
        if (typeof value === 'number' && (type === 'date' || type === 'timestamp'))
          value = formatTemporal(value, type);
        return { name, type, value };
      });
      out.push({
        entity: decodeEntityKey(c.contract.entity.key, key, keyTypes),
        timestamp: r.timestamp,
        eventTime: m ? new Date(m.eventTime) : null,
        values: m ? Object.fromEntries(fs.map((f) => [f.name, f.value])) : null,
        features: fs,
        runId: m?.runId ?? null,
        contractVersion: m?.contractVersion ?? null,
      });
    }
    return out;
  }

  const times = [-1, 0, 1, 2, 3, 4, 5, 9].map((d) => new Date(T0 + d * DAY + 7_200_000));
  const stockRows = [
    { store: 'a', day: '2024-05-01' },
    { store: ' b ', day: ' 2024-05-01 ' },
    { store: 'zz', day: '2024-05-01' },
    { store: 'a', day: '2024-05-02' },
  ].flatMap((entity) => times.map((timestamp) => ({ entity, timestamp })));
  const plainRows = ['x', ' y', { item: 'z' }, 'nobody', 'x'].flatMap((entity) =>
    times.map((timestamp) => ({ entity: entity as unknown, timestamp })),
  );
  const training = (
    contract: string,
    rows: Array<{ entity: unknown; timestamp: Date }>,
    features?: string[],
    ttl?: string,
  ) => rt.features.trainingSet({ contract, rows, features, ttl, environment: 'dev' });

  it('agrees on composite keys with temporal features, matched or not', async () => {
    const got = await training('stock', stockRows);
    expect(got).toEqual(await reference('stock', stockRows));
    expect(got.filter((v) => v.values === null).length).toBeGreaterThan(0);
    expect(got.filter((v) => v.values !== null).length).toBeGreaterThan(0);
    expect(got[1]!.values).toMatchObject({ day: '2024-05-01' });
    // Composite keys decode to an object per vector.
    expect(got[0]!.entity).not.toBe(got[1]!.entity);
  });

  it('agrees on scalar keys and plain features: all, subsets, reordered, repeated, none', async () => {
    for (const features of [undefined, ['a', 'b', 'c'], ['c', 'a'], ['b', 'b'], ['a'], []]) {
      expect(await training('plain', plainRows, features)).toEqual(
        await reference('plain', plainRows, features),
      );
    }
  });

  it('agrees under a TTL', async () => {
    for (const ttl of ['P1D', 'PT1H', 'P3D']) {
      expect(await training('plain', plainRows, undefined, ttl)).toEqual(
        await reference('plain', plainRows, undefined, ttl),
      );
      expect(await training('stock', stockRows, ['worth', 'seen'], ttl)).toEqual(
        await reference('stock', stockRows, ['worth', 'seen'], ttl),
      );
    }
  });

  it('gives each vector its own values and features', async () => {
    const rows = [
      { entity: 'x', timestamp: times[3]! },
      { entity: 'x', timestamp: times[3]! },
    ];
    const [v1, v2] = await training('plain', rows);
    expect(v1).toEqual(v2);
    expect(v1!.values).not.toBe(v2!.values);
    expect(v1!.features).not.toBe(v2!.features);
  });

  it('refuses unknown features, bad keys and bad timestamps naming the row', async () => {
    const message = (p: Promise<unknown>) =>
      p.then(
        () => 'answered',
        (e: Error) => e.message,
      );
    expect(await message(training('plain', plainRows, ['nope', 'a']))).toMatch(
      /^unknown feature\(s\) nope in plain@1\.0\.0; known: a, b, c/,
    );
    const bad = [...plainRows.slice(0, 3), { entity: null, timestamp: times[0]! }];
    expect(await message(training('plain', bad))).toMatch(
      /^rows\[3\]\.entity: entity key needs columns item/,
    );
    const late = [...plainRows.slice(0, 2), { entity: 'x', timestamp: new Date(NaN) }];
    expect(await message(training('plain', late))).toBe('rows[2].timestamp is not a valid date-time');
    expect(await message(training('stock', [{ entity: { store: 'a' }, timestamp: times[0]! }]))).toMatch(
      /^rows\[0\]\.entity: entity key needs columns store, day; missing day/,
    );
  });
});
