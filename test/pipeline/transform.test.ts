import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Contract, FeatureSpec } from '../../src/domain/contract';
import { InputError } from '../../src/errors';
import { encodeEntityKey } from '../../src/pipeline/entity-key';
import type { CleanRow, FeatureRow, HistoryPoint } from '../../src/domain/rows';
import type { Value } from '../../src/domain/value';
import {
  compileTransform,
  historyNeeds,
  transformIssues,
  type HistoryNeeds,
} from '../../src/pipeline/transform';

const DAY = 86_400_000;

function contract(features: FeatureSpec[]): Contract {
  return {
    name: 'country_daily',
    version: '1.0.0',
    owner: 'epidemiology',
    entity: { name: 'country', key: ['country'] },
    eventTime: 'date',
    source: { type: 'csv' },
    schema: [
      { name: 'date', type: 'date', required: true },
      { name: 'country', type: 'string', required: true },
      { name: 'confirmed', type: 'integer', required: true },
      { name: 'deaths', type: 'integer' },
      { name: 'rate', type: 'number' },
    ],
    expectations: [],
    features,
  };
}

const COVID: FeatureSpec[] = [
  { name: 'confirmed', column: 'confirmed' },
  { name: 'new_cases', window: { op: 'diff', column: 'confirmed' } },
  { name: 'new_cases_7d', window: { op: 'sum', column: 'new_cases', rows: 7 } },
  { name: 'fatality', expr: 'deaths / confirmed' },
];

let rowNumber = 0;
function row(
  country: string,
  day: number,
  values: Record<string, Value>,
  batch = 'b1',
  n = ++rowNumber,
): CleanRow {
  const all = { country, date: day * DAY, ...values };
  return {
    rowNumber: n,
    rawBatchId: batch,
    raw: {},
    values: all,
    entityKey: encodeEntityKey(['country'], all),
    eventTime: day * DAY,
  };
}
const pick = (rows: FeatureRow[], name: string) => rows.map((r) => r.values[name]);

describe('compileTransform', () => {
  it('computes the DESIGN example per entity in declaration order', () => {
    const transform = compileTransform(contract(COVID));
    const rows = [
      row('US', 1, { confirmed: 10, deaths: 1 }),
      row('FR', 1, { confirmed: 5, deaths: 0 }),
      row('US', 2, { confirmed: 15, deaths: 3 }),
      row('US', 3, { confirmed: 15, deaths: null }),
      row('FR', 2, { confirmed: 0, deaths: 0 }),
    ];
    const out = transform(rows, new Map());
    expect(out.map((r) => [r.entityKey, r.eventTime / DAY])).toEqual([
      ['"FR"', 1],
      ['"FR"', 2],
      ['"US"', 1],
      ['"US"', 2],
      ['"US"', 3],
    ]);
    expect(out[2]!.values).toEqual({ confirmed: 10, new_cases: null, new_cases_7d: null, fatality: 0.1 });
    expect(out[3]!.values).toEqual({ confirmed: 15, new_cases: 5, new_cases_7d: 5, fatality: 0.2 });
    expect(out[4]!.values).toEqual({ confirmed: 15, new_cases: 0, new_cases_7d: 5, fatality: null });
    expect(out[1]!.values.fatality).toBeNull(); // 0 / 0
    expect(out[3]).toMatchObject({ rowNumber: rows[2]!.rowNumber, rawBatchId: 'b1' });
  });

  it('lets later features shadow columns and read earlier features', () => {
    const transform = compileTransform(
      contract([
        { name: 'confirmed', expr: 'confirmed * 2' },
        { name: 'twice', column: 'confirmed' },
        { name: 'plus', expr: 'twice + 1' },
      ]),
    );
    expect(transform([row('US', 1, { confirmed: 3 })], new Map())[0]!.values).toEqual({
      confirmed: 6,
      twice: 6,
      plus: 7,
    });
  });

  it('reads a source column through the plain feature that copies it', () => {
    const transform = compileTransform(
      contract([
        { name: 'cases', column: 'confirmed' },
        { name: 'cases_3d', window: { op: 'max', column: 'confirmed', rows: 3 } },
      ]),
    );
    const out = transform([row('US', 1, { confirmed: 3 }), row('US', 2, { confirmed: 1 })], new Map());
    expect(pick(out, 'cases_3d')).toEqual([3, 3]);
    expect(
      historyNeeds(
        contract([
          { name: 'cases', column: 'confirmed' },
          { name: 'w', window: { op: 'lag', column: 'confirmed' } },
        ]),
      ).columns,
    ).toEqual(['cases']);
  });

  it('keeps the last row for a repeated (entity, event time)', () => {
    const transform = compileTransform(contract(COVID));
    const sameBatch = [
      row('US', 1, { confirmed: 1 }, 'b1', 2),
      row('US', 1, { confirmed: 7 }, 'b1', 9),
      row('US', 1, { confirmed: 4 }, 'b1', 5),
    ];
    expect(pick(transform(sameBatch, new Map()), 'confirmed')).toEqual([7]);
    const twoBatches = [row('US', 1, { confirmed: 1 }, 'b1', 9), row('US', 1, { confirmed: 2 }, 'b2', 1)];
    expect(transform(twoBatches, new Map())).toMatchObject([
      { values: { confirmed: 2 }, rawBatchId: 'b2', rowNumber: 1 },
    ]);
  });

  it('continues windows from history and lets a run row replace an equal-time point', () => {
    const transform = compileTransform(contract(COVID));
    const history = new Map<string, HistoryPoint[]>([
      [
        '"US"',
        [
          { eventTime: 1 * DAY, values: { confirmed: 10, new_cases: null } },
          { eventTime: 2 * DAY, values: { confirmed: 12, new_cases: 2 } },
          { eventTime: 3 * DAY, values: { confirmed: 99, new_cases: 87 } },
        ],
      ],
    ]);
    const out = transform([row('US', 3, { confirmed: 13 }), row('US', 4, { confirmed: 20 })], history);
    expect(pick(out, 'new_cases')).toEqual([1, 7]);
    expect(pick(out, 'new_cases_7d')).toEqual([3, 10]);
  });

  it('places a late row between history points', () => {
    const transform = compileTransform(contract(COVID));
    const history = new Map([
      [
        '"US"',
        [
          { eventTime: 1 * DAY, values: { confirmed: 10 } },
          { eventTime: 5 * DAY, values: { confirmed: 50 } },
        ],
      ],
    ]);
    expect(pick(transform([row('US', 3, { confirmed: 30 })], history), 'new_cases')).toEqual([20]);
  });

  it('refuses a window over a source column that is not a feature, proposing the fix', () => {
    const bad = contract([{ name: 'deaths_7d', window: { op: 'sum', column: 'deaths', rows: 7 } }]);
    expect(transformIssues(bad)).toEqual([
      {
        path: '/features/0/window/column',
        message:
          "feature 'deaths_7d': window column 'deaths' must be a feature declared before this one: windows continue across runs " +
          'from stored features, which do not keep source columns. Add { name: deaths, column: deaths } earlier in features',
      },
    ]);
    expect(() => compileTransform(bad)).toThrow(InputError);
    expect(() => historyNeeds(bad)).toThrow(/deaths_7d/);
  });

  it('refuses skipNulls on a window op that skips nulls anyway', () => {
    const bad = contract([
      { name: 'confirmed', column: 'confirmed' },
      { name: 's', window: { op: 'sum', column: 'confirmed', rows: 2, skipNulls: true } },
    ]);
    expect(transformIssues(bad)).toEqual([
      {
        path: '/features/1/window/skipNulls',
        message: 'skipNulls applies to lag and diff; sum already skips nulls',
      },
    ]);
  });

  it('reports every other feature problem with its path', () => {
    const bad = contract([
      { name: 'a', column: 'nope' },
      { name: 'b', expr: 'confirmed / cases' },
      { name: 'c', window: { op: 'sum', column: 'b', rows: 0 } },
      { name: 'd', window: { op: 'mean', column: 'confirmed' } },
      { name: 'e', window: { op: 'max', column: 'zzz', duration: 'P1X' } },
      { name: 'f', window: { op: 'lag', column: 'a', offset: 0, rows: 2 } },
      { name: 'confirmed', column: 'confirmed' },
      { name: 'confirmed', column: 'confirmed' },
      { name: 'g' },
    ]);
    expect(transformIssues(bad).map((i) => i.path)).toEqual([
      '/features/0/column',
      '/features/1/expr',
      '/features/2/window/column',
      '/features/2/window/rows',
      '/features/3/window/column',
      '/features/3/window',
      '/features/4/window/column',
      '/features/4/window/duration',
      '/features/5/window/column',
      '/features/5/window/offset',
      '/features/5/window',
      '/features/7/name',
      '/features/8',
    ]);
    expect(transformIssues(bad)[1]!.message).toBe(
      'features/b/expr: unknown name cases (known: date, country, confirmed, deaths, rate)',
    );
  });
});

describe('historyNeeds', () => {
  it('reports the features windows read and how far back', () => {
    expect(historyNeeds(contract(COVID))).toEqual({
      columns: ['confirmed', 'new_cases'],
      maxRows: 6,
      maxDuration: null,
      lastNonNull: {},
    });
    const mixed = contract([
      { name: 'confirmed', column: 'confirmed' },
      { name: 'lag3', window: { op: 'lag', column: 'confirmed', offset: 3 } },
      { name: 'week', window: { op: 'mean', column: 'confirmed', duration: 'P7D' } },
      { name: 'day', window: { op: 'max', column: 'lag3', duration: 'PT12H' } },
      { name: 'since', window: { op: 'diff', column: 'confirmed', skipNulls: true, offset: 2 } },
    ]);
    expect(historyNeeds(mixed)).toEqual({
      columns: ['confirmed', 'lag3'],
      maxRows: 3,
      maxDuration: 7 * DAY,
      lastNonNull: { confirmed: 2 },
    });
    expect(historyNeeds(contract([{ name: 'x', expr: 'confirmed + 1' }]))).toEqual({
      columns: [],
      maxRows: null,
      maxDuration: null,
      lastNonNull: {},
    });
  });
});

// ---- the same values whether data came in one run or two -----------------------------

const SPLIT_FEATURES: FeatureSpec[] = [
  { name: 'confirmed', column: 'confirmed' },
  { name: 'rate', column: 'rate' },
  { name: 'new_cases', window: { op: 'diff', column: 'confirmed' } },
  { name: 'new_cases_3', window: { op: 'sum', column: 'new_cases', rows: 3 } },
  { name: 'rate_mean_5d', window: { op: 'mean', column: 'rate', duration: 'P5D' } },
  { name: 'rate_sum_4', window: { op: 'sum', column: 'rate', rows: 4 } },
  { name: 'rate_min_3', window: { op: 'min', column: 'rate', rows: 3 } },
  { name: 'rate_max_4d', window: { op: 'max', column: 'rate', duration: 'P4D' } },
  { name: 'rate_count_2d', window: { op: 'count', column: 'rate', duration: 'P2D' } },
  { name: 'lag2', window: { op: 'lag', column: 'rate', offset: 2 } },
  { name: 'ratio', expr: 'new_cases_3 / coalesce(rate_sum_4, 1)' },
  { name: 'ratio_mean', window: { op: 'mean', column: 'ratio', rows: 2 } },
];

/** What the executor would load: per entity, maxRows points before the batch and those within maxDuration. */
function loadHistory(
  stored: FeatureRow[],
  batch: CleanRow[],
  needs: HistoryNeeds,
): Map<string, HistoryPoint[]> {
  const out = new Map<string, HistoryPoint[]>();
  for (const key of new Set(batch.map((r) => r.entityKey))) {
    const first = Math.min(...batch.filter((r) => r.entityKey === key).map((r) => r.eventTime));
    const before = stored
      .filter((r) => r.entityKey === key && r.eventTime < first)
      .sort((a, b) => a.eventTime - b.eventTime);
    const byRows = before.slice(Math.max(0, before.length - (needs.maxRows ?? 0)));
    const byTime = before.filter(
      (r) => needs.maxDuration !== null && r.eventTime > first - needs.maxDuration,
    );
    const points = before.filter((r) => byRows.includes(r) || byTime.includes(r));
    out.set(
      key,
      points.map((r) => ({
        eventTime: r.eventTime,
        values: Object.fromEntries(needs.columns.map((c) => [c, r.values[c]!])),
      })),
    );
  }
  return out;
}

describe('runs split in two', () => {
  const cell = fc.option(
    fc.oneof(fc.integer({ min: -50, max: 1000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
    { freq: 6 },
  );
  const point = fc.record({
    gap: fc.integer({ min: 1, max: 3 }),
    confirmed: fc.integer({ min: 0, max: 1e6 }),
    rate: cell,
  });
  const entity = fc.record({ points: fc.array(point, { minLength: 1, maxLength: 25 }), cut: fc.nat() });
  const entities = fc.array(entity, { minLength: 1, maxLength: 4 });

  it('give the same feature values as one run', () => {
    const transform = compileTransform(contract(SPLIT_FEATURES));
    const needs = historyNeeds(contract(SPLIT_FEATURES));
    fc.assert(
      fc.property(entities, (ents) => {
        const first: CleanRow[] = [];
        const second: CleanRow[] = [];
        ents.forEach((e, i) => {
          let day = 0;
          const cut = e.cut % (e.points.length + 1);
          e.points.forEach((p, j) => {
            day += p.gap;
            const r = row(
              `E${i}`,
              day,
              { confirmed: p.confirmed, rate: p.rate },
              j < cut ? 'b1' : 'b2',
              j + 1,
            );
            (j < cut ? first : second).push(r);
          });
        });
        const whole = transform([...first, ...second], new Map());
        const run1 = transform(first, new Map());
        const run2 = transform(second, loadHistory(run1, second, needs));
        const split = [...run1, ...run2].sort((a, b) =>
          a.entityKey < b.entityKey ? -1 : a.entityKey > b.entityKey ? 1 : a.eventTime - b.eventTime,
        );
        expect(split.map((r) => [r.entityKey, r.eventTime, r.values])).toEqual(
          whole.map((r) => [r.entityKey, r.eventTime, r.values]),
        );
      }),
      { numRuns: 300 },
    );
  });
});
