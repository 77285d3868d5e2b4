/**
 * Window features continue across run boundaries: the same series ingested in one
 * run, or split over several runs, gives identical feature values at every point.
 * The two ingestions go to two contracts with the same features, so they share
 * nothing in the store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FeatureVector } from '../../src/serving/feature.service';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';

function contract(name: string): string {
  return `
name: ${name}
version: 1.0.0
owner: tests
entity: { name: sensor, key: [sensor] }
eventTime: day
source: { type: push }
schema:
  - { name: day, type: date, required: true }
  - { name: sensor, type: string, required: true }
  - { name: reading, type: number }
expectations: []
features:
  - { name: reading, column: reading }
  - { name: change, window: { op: diff, column: reading } }
  - { name: sum_3, window: { op: sum, column: reading, rows: 3 } }
  - { name: sum_3d, window: { op: sum, column: reading, duration: P3D } }
  - { name: count_3d, window: { op: count, column: reading, duration: P3D } }
  - { name: max_3, window: { op: max, column: reading, rows: 3 } }
  - { name: lag_2, window: { op: lag, column: reading, offset: 2 } }
  - { name: change_sum_3, window: { op: sum, column: change, rows: 3 } }
# The rollback test checks the next run's windows by themselves, not the reprocess a rollback sets off.
policy: { onRollback: none }
`;
}

const day = (d: number) => new Date(Date.UTC(2024, 0, d)).toISOString().slice(0, 10);

/** Irregular gaps (so row and duration windows differ), a null, values that are not exact in binary. */
const SERIES: Record<string, Array<[number, number | null]>> = {
  A: [
    [1, 0.1],
    [2, 0.2],
    [3, 0.7],
    [5, 1.3],
    [8, null],
    [9, 2.9],
    [10, 0.3],
    [14, 4.1],
  ],
  B: [
    [1, 10.01],
    [4, 3.33],
    [5, 7.77],
    [6, 0.07],
    [7, 1.1],
    [11, 5.5],
    [12, 0.01],
    [13, 9.99],
  ],
};

/** Where each entity's series is cut into runs: days <= first cut, <= second cut, rest. */
const CUTS: Record<string, [number, number]> = { A: [5, 9], B: [6, 7] };

function records(select: (sensor: string, d: number) => boolean) {
  return Object.entries(SERIES).flatMap(([sensor, points]) =>
    points.filter(([d]) => select(sensor, d)).map(([d, reading]) => ({ day: day(d), sensor, reading })),
  );
}

describe(`windows across runs (${testEngine()})`, () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [contract('whole'), contract('split')] });
  });
  afterEach(() => rt.dispose());

  const ingest = async (name: string, recs: unknown[]) => {
    rt.clock.advance(60_000);
    const run = await rt.runs.ingest({ contract: name, environment: 'dev', records: recs, actor: 'test' });
    expect(run.error).toBeNull();
    return run;
  };

  /** Every stored point of every sensor, read back in one training-set query. */
  async function everyPoint(name: string): Promise<FeatureVector[]> {
    const rows = Object.entries(SERIES).flatMap(([sensor, points]) =>
      points.map(([d]) => ({ entity: sensor, timestamp: new Date(Date.UTC(2024, 0, d)) })),
    );
    const vectors = await rt.features.trainingSet({ contract: name, rows, environment: 'dev' });
    for (const v of vectors) expect(v.eventTime).toEqual(v.timestamp);
    return vectors;
  }

  it('gives identical values whether the series came in one run or in three', async () => {
    await ingest(
      'whole',
      records(() => true),
    );
    const first = await ingest(
      'split',
      records((s, d) => d <= CUTS[s]![0]),
    );
    const second = await ingest(
      'split',
      records((s, d) => d > CUTS[s]![0] && d <= CUTS[s]![1]),
    );
    const third = await ingest(
      'split',
      records((s, d) => d > CUTS[s]![1]),
    );
    expect(first.counts.written + second.counts.written + third.counts.written).toBe(16);

    const whole = await everyPoint('whole');
    const split = await everyPoint('split');

    expect(split.map((v) => v.values)).toEqual(whole.map((v) => v.values));
    // The values are the windows' values, not nulls that would also compare equal.
    const at = (sensor: string, d: number) =>
      split.find((v) => v.entity === sensor && v.eventTime!.getTime() === Date.UTC(2024, 0, d))!.values!;
    expect(at('A', 9)).toMatchObject({ reading: 2.9, change: null, lag_2: 1.3, count_3d: 1 });
    expect(at('A', 9).sum_3).toBeCloseTo(1.3 + 2.9, 12);
    expect(at('A', 9).sum_3d).toBe(2.9);
    expect(at('A', 9).max_3).toBe(2.9);
    expect(at('B', 7)).toMatchObject({ count_3d: 3, lag_2: 7.77 });
    expect(at('B', 7).change).toBeCloseTo(1.1 - 0.07, 12);
    expect(at('B', 7).sum_3d).toBeCloseTo(7.77 + 0.07 + 1.1, 12);
    expect(at('B', 11)).toMatchObject({ count_3d: 1, sum_3d: 5.5, max_3: 5.5 });
    // Three diffs telescope: (6 - 5) + (7 - 6) + (11 - 7).
    expect(at('B', 11).change_sum_3).toBeCloseTo(5.5 - 7.77, 12);
    expect(at('A', 1)).toMatchObject({ change: null, lag_2: null, sum_3: 0.1, count_3d: 1 });
  });

  it('a run of one row per entity still sees the windows behind it', async () => {
    await ingest(
      'whole',
      records(() => true),
    );
    const days = [...new Set(Object.values(SERIES).flatMap((p) => p.map(([d]) => d)))].sort((a, b) => a - b);
    for (const d of days)
      await ingest(
        'split',
        records((_, x) => x === d),
      );

    expect((await everyPoint('split')).map((v) => v.values)).toEqual(
      (await everyPoint('whole')).map((v) => v.values),
    );
  });

  it('a run that is rolled back no longer feeds the windows of the next run', async () => {
    await ingest(
      'whole',
      records(() => true),
    );
    await ingest(
      'split',
      records((s, d) => d <= CUTS[s]![0]),
    );
    const wrong = await ingest(
      'split',
      records((s, d) => d > CUTS[s]![0] && d <= CUTS[s]![1]).map((r) => ({ ...r, reading: 1000 })),
    );
    await rt.runs.rollback(wrong.id, 'test');
    await ingest(
      'split',
      records((s, d) => d > CUTS[s]![0]),
    );

    expect((await everyPoint('split')).map((v) => v.values)).toEqual(
      (await everyPoint('whole')).map((v) => v.values),
    );
  });
});
