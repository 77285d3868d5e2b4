/**
 * `knownAt` time travel with a ManualClock: a row is visible at system time K iff
 * its run has committed_at <= K < invalidated_at. Run 1 commits at t1, run 2
 * corrects it at t2, run 2 is rolled back at t3, and run 1 is reprocessed at t4.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import type { Run } from '../../src/domain/run';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';

const CONTRACT = `
name: prices
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

const t1 = Date.UTC(2024, 5, 1, 12);
const t2 = Date.UTC(2024, 5, 2, 12);
const t3 = Date.UTC(2024, 5, 3, 12);
const t4 = Date.UTC(2024, 5, 4, 12);
const HOUR = 3_600_000;

/** Event times, all before t1. */
const e1 = '2024-05-01T00:00:00Z';
const e2 = '2024-05-02T00:00:00Z';

const RUN1 = [
  { ts: e1, item: 'apple', price: 1.0 },
  { ts: e2, item: 'apple', price: 1.5 },
  { ts: e1, item: 'pear', price: 2.0 },
];
/** Corrects apple on e2 and pear on e1. */
const RUN2 = [
  { ts: e2, item: 'apple', price: 1.25 },
  { ts: e1, item: 'pear', price: 2.5 },
];

describe(`knownAt time travel (${testEngine()})`, () => {
  let rt: TestRuntime;
  let run1: Run;
  let run2: Run;

  beforeEach(async () => {
    rt = await createTestRuntime({ clock: new ManualClock(t1), contracts: [CONTRACT] });
    run1 = await rt.runs.ingest({ contract: 'prices', environment: 'dev', records: RUN1, actor: 'test' });
    rt.clock.set(t2);
    run2 = await rt.runs.ingest({ contract: 'prices', environment: 'dev', records: RUN2, actor: 'test' });
    rt.clock.set(t3);
    await rt.runs.rollback(run2.id, 'test');
  });
  afterEach(() => rt.dispose());

  async function at(knownAt: number | undefined, asOf?: string) {
    const vectors = await rt.features.features({
      contract: 'prices',
      entities: ['apple', 'pear'],
      environment: 'dev',
      knownAt: knownAt === undefined ? undefined : new Date(knownAt),
      asOf: asOf === undefined ? undefined : new Date(asOf),
    });
    return vectors.map((v) => ({
      item: v.entity,
      price: v.values?.price ?? null,
      change: v.values?.change ?? null,
      runId: v.runId,
    }));
  }

  const asRun1 = () => [
    { item: 'apple', price: 1.5, change: 0.5, runId: run1.id },
    { item: 'pear', price: 2.0, change: null, runId: run1.id },
  ];
  const asRun2 = () => [
    { item: 'apple', price: 1.25, change: 0.25, runId: run2.id },
    { item: 'pear', price: 2.5, change: null, runId: run2.id },
  ];

  it('the runs committed and were invalidated at the clock times', async () => {
    expect(run1.committedAt).toBe(t1);
    expect(run2.committedAt).toBe(t2);
    expect(await rt.store.runs.get(run1.id)).toMatchObject({ status: 'succeeded', invalidatedAt: null });
    expect(await rt.store.runs.get(run2.id)).toMatchObject({ status: 'rolled_back', invalidatedAt: t3 });
  });

  it('before run 1 committed, nothing was known', async () => {
    expect(await at(t1 - 1)).toEqual([
      { item: 'apple', price: null, change: null, runId: null },
      { item: 'pear', price: null, change: null, runId: null },
    ]);
  });

  it('between t1 and t2: run 1', async () => {
    expect(await at(t1)).toEqual(asRun1());
    expect(await at(t1 + HOUR)).toEqual(asRun1());
    expect(await at(t2 - 1)).toEqual(asRun1());
  });

  it('between t2 and t3: run 2 (its correction, and its window over run 1)', async () => {
    expect(await at(t2)).toEqual(asRun2());
    expect(await at(t2 + HOUR)).toEqual(asRun2());
    expect(await at(t3 - 1)).toEqual(asRun2());
  });

  it('from t3 on, and now: run 1 again', async () => {
    expect(await at(t3)).toEqual(asRun1());
    rt.clock.set(t3 + HOUR);
    expect(await at(undefined)).toEqual(asRun1());
    expect(await at(rt.clock.now())).toEqual(asRun1());
  });

  it('asOf and knownAt combine: apple as of e1, as known between t2 and t3', async () => {
    expect(await at(t2 + HOUR, e1)).toEqual([
      { item: 'apple', price: 1.0, change: null, runId: run1.id },
      { item: 'pear', price: 2.5, change: null, runId: run2.id },
    ]);
  });

  it('a reprocess at t4 takes over from its parent at t4, not before', async () => {
    rt.clock.set(t4);
    const child = await rt.runs.reprocess(run1.id, { actor: 'test' });
    expect(child.committedAt).toBe(t4);

    expect(await at(t4 - 1)).toEqual(asRun1());
    expect(await at(t2 + HOUR)).toEqual(asRun2());
    const now = await at(undefined);
    expect(now.map(({ runId: _, ...v }) => v)).toEqual(asRun1().map(({ runId: _, ...v }) => v));
    expect(now.map((v) => v.runId)).toEqual([child.id, child.id]);
    expect(await at(t4)).toEqual(now);
  });
});
