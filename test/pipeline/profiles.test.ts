/**
 * Every succeeded run stores a profile of each column and feature over the rows it
 * stored, computed in the validation pass; the numbers match exact computations on
 * generated data (within the sketches' stated error where a sketch is involved).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { KLL_RANK_ERROR } from '../../src/quality/profile/kll';
import { HLL_RELATIVE_ERROR } from '../../src/quality/profile/hll';
import type { Profile } from '../../src/quality/profile/profile';

const CONTRACT = `
name: readings
version: 1.0.0
owner: tests
entity: { name: sensor, key: [sensor] }
eventTime: at
source: { type: csv, path: "readings/*.csv" }
schema:
  - { name: at, type: date, required: true }
  - { name: sensor, type: string, required: true }
  - { name: x, type: number }
  - { name: colour, type: string }
expectations:
  - { expect: between, column: x, min: 0, severity: reject }
features:
  - { name: x, column: x }
  - { name: doubled, expr: "x * 2" }
`;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const COLOURS = ['red', 'green', 'blue', 'black'];

/** n rows; every 10th x is empty, a few are negative (rejected: not in the profile). */
function generate(n: number, seed: number) {
  const r = rng(seed);
  const lines = ['at,sensor,x,colour'];
  const stored: Array<number | null> = [];
  const colours = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const negative = i % 97 === 5 && i % 10 !== 0;
    const x = i % 10 === 0 ? null : negative ? -1 : Math.round(r() * r() * 10_000) / 100;
    const colour = COLOURS[Math.floor(r() * r() * COLOURS.length)]!;
    lines.push(`2024-0${1 + (i % 9)}-1${i % 10},s${i},${x ?? ''},${colour}`);
    if (negative) continue;
    stored.push(x);
    colours.set(colour, (colours.get(colour) ?? 0) + 1);
  }
  return { csv: lines.join('\n') + '\n', stored, colours };
}

function rankOf(sorted: Float64Array, x: number): [number, number] {
  let below = 0;
  let atMost = 0;
  for (const v of sorted) {
    if (v < x) below++;
    if (v <= x) atMost++;
  }
  return [below / sorted.length, atMost / sorted.length];
}

describe(`run profiles (${testEngine()})`, () => {
  let rt: TestRuntime;
  afterEach(async () => rt?.dispose());

  it('profiles each column and feature of the stored rows, right against exact answers', async () => {
    rt = await createTestRuntime({ contracts: [CONTRACT] });
    const data = generate(6000, 42);
    await rt.land('readings/day-1.csv', data.csv);
    const run = await rt.runs.trigger({ contract: 'readings', environment: 'dev', actor: 'test' });
    expect(run.status).toBe('succeeded');

    const profiles = await rt.store.profiles.forRun(run.id);
    const byName = new Map(profiles.map((p) => [`${p.kind}:${p.name}`, p]));
    expect([...byName.keys()].sort()).toEqual([
      'column:at',
      'column:colour',
      'column:sensor',
      'column:x',
      'feature:doubled',
      'feature:x',
    ]);

    const x = byName.get('column:x')!;
    const numbers = data.stored.filter((v): v is number => v !== null);
    const sorted = Float64Array.from(numbers).sort();
    const mean = numbers.reduce((a, b) => a + b, 0) / numbers.length;
    const sd = Math.sqrt(numbers.reduce((a, b) => a + (b - mean) ** 2, 0) / (numbers.length - 1));
    expect(x.count).toBe(data.stored.length);
    expect(x.nulls).toBe(data.stored.length - numbers.length);
    expect(x.min).toBe(sorted[0]);
    expect(x.max).toBe(sorted[sorted.length - 1]);
    expect(x.mean).toBeCloseTo(mean, 9);
    expect(x.stddev).toBeCloseTo(sd, 9);
    const exactDistinct = new Set(numbers).size;
    expect(Math.abs(x.distinct - exactDistinct) / exactDistinct).toBeLessThanOrEqual(3 * HLL_RELATIVE_ERROR);
    for (const [key, value] of Object.entries(x.quantiles!)) {
      const q = Number(key.slice(1)) / 100;
      const [lo, hi] = rankOf(sorted, value);
      expect(q).toBeGreaterThanOrEqual(lo - KLL_RANK_ERROR);
      expect(q).toBeLessThanOrEqual(hi + KLL_RANK_ERROR);
    }
    const bins = x.histogram!;
    expect(bins).toHaveLength(20);
    expect(bins.reduce((a, b) => a + b.count, 0)).toBe(numbers.length);
    for (const b of bins) {
      const exact = numbers.filter((v) => (b.lo === x.min ? v >= b.lo : v > b.lo) && v <= b.hi).length;
      expect(Math.abs(b.count - exact)).toBeLessThanOrEqual(2 * KLL_RANK_ERROR * numbers.length);
    }

    const colour = byName.get('column:colour')!;
    expect(colour.valueKind).toBe('text');
    expect(colour.distinct).toBe(COLOURS.length);
    expect(colour.mean).toBeNull();
    const exactTop = [...data.colours]
      .sort((a, b) => b[1] - a[1])
      .map(([value, count]) => ({ value, count }));
    expect(colour.topValues).toEqual(exactTop);

    // A feature that copies a column takes the column's profile (not walked twice): the same numbers.
    const copy = byName.get('feature:x')!;
    expect(copy).toMatchObject({
      kind: 'feature',
      name: 'x',
      count: x.count,
      nulls: x.nulls,
      min: x.min,
      max: x.max,
    });
    expect(copy.mean).toBeCloseTo(mean, 9);
    expect(copy.quantiles).toEqual(x.quantiles);

    const doubled = byName.get('feature:doubled')!;
    expect(doubled.count).toBe(data.stored.length);
    expect(doubled.mean).toBeCloseTo(2 * mean, 9);
    expect(doubled.max).toBe(2 * sorted[sorted.length - 1]!);
    const sensor: Profile = byName.get('column:sensor')!;
    expect(Math.abs(sensor.distinct - data.stored.length) / data.stored.length).toBeLessThanOrEqual(
      3 * HLL_RELATIVE_ERROR,
    );
  });

  it('stores no profile for a run that fails', async () => {
    rt = await createTestRuntime({
      contracts: [CONTRACT.replace('severity: reject', 'severity: fail')],
    });
    await rt.land('readings/day-1.csv', generate(500, 1).csv);
    const run = await rt.runs.trigger({ contract: 'readings', environment: 'dev', actor: 'test' });
    expect(run.status).toBe('failed');
    expect(await rt.store.profiles.forRun(run.id)).toEqual([]);
  });
});
