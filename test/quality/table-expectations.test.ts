import { describe, expect, it } from 'vitest';
import type { ExpectationSpec } from '../../src/domain/contract';
import { DAY, NOW, T0, resultOf, row, series } from './fixtures';

const warn = (spec: Omit<ExpectationSpec, 'severity'>): ExpectationSpec => ({ severity: 'warn', ...spec });

describe('row_count_between', () => {
  const spec = warn({ expect: 'row_count_between', min: 2, max: 3 });
  it('observes the row count', () => {
    expect(resultOf(spec, series('confirmed', [1, 2]))).toMatchObject({ success: true, observedValue: 2 });
    expect(resultOf(spec, series('confirmed', [1]))).toMatchObject({ success: false, observedValue: 1 });
    expect(resultOf(spec, series('confirmed', [1, 2, 3, 4])).success).toBe(false);
    expect(resultOf(spec, []).success).toBe(false);
  });
});

describe('unique', () => {
  const spec = warn({ expect: 'unique', column: 'code' });
  it('passes distinct values and skips nulls', () => {
    expect(resultOf(spec, series('code', ['a', 'b', null, null]))).toMatchObject({
      success: true,
      elementCount: 2,
    });
  });
  it('counts every duplicate but the first', () => {
    const r = resultOf(spec, series('code', ['a', 'b', 'a', 'a', 'b', 'c']));
    expect(r).toMatchObject({ success: false, elementCount: 6, unexpectedCount: 3, unexpectedPercent: 50 });
    expect(r.sample.map((s) => s.rowNumber)).toEqual([3, 4, 5]);
  });
  it('honours mostly', () => {
    const rows = series('code', ['a', 'b', 'c', 'a']);
    expect(resultOf({ ...spec, mostly: 0.75 }, rows).success).toBe(true);
    expect(resultOf({ ...spec, mostly: 0.8 }, rows).success).toBe(false);
  });
});

describe('compound_unique', () => {
  it('defaults to entity key + event time', () => {
    const spec = warn({ expect: 'compound_unique' });
    const rows = [
      row({ country: 'fr', date: T0 }, 1),
      row({ country: 'de', date: T0 }, 2),
      row({ country: 'fr', date: T0 }, 3),
    ];
    const r = resultOf(spec, rows);
    expect(r).toMatchObject({ success: false, unexpectedCount: 1, columns: ['country', 'date'] });
    expect(r.sample).toEqual([{ rowNumber: 3, rawBatchId: 'batch-1', value: { country: 'fr', date: T0 } }]);
    expect(resultOf(spec, rows.slice(0, 2)).success).toBe(true);
  });

  it('uses the given columns, typed so 1 and "1" differ, skipping all-null rows', () => {
    const spec = warn({ expect: 'compound_unique', columns: ['code', 'confirmed'] });
    const rows = [
      row({ code: 'a', confirmed: 1 }, 1),
      row({ code: 'a', confirmed: 2 }, 2),
      row({ code: 'a', confirmed: 1 }, 3),
      row({ code: null, confirmed: null }, 4),
      row({ code: null, confirmed: null }, 5),
    ];
    const r = resultOf(spec, rows);
    expect(r).toMatchObject({
      success: false,
      elementCount: 3,
      unexpectedCount: 1,
      columns: ['code', 'confirmed'],
    });
    expect(resultOf({ ...spec, mostly: 0.6 }, rows).success).toBe(true);
  });
});

describe('column aggregates', () => {
  const values = [1, 2, 3, 4, 100, null];
  const cases: Array<[ExpectationSpec['expect'], number]> = [
    ['min_between', 1],
    ['max_between', 100],
    ['mean_between', 22],
    ['median_between', 3],
    ['sum_between', 110],
  ];
  for (const [expectName, observed] of cases) {
    it(`${expectName} observes ${observed}`, () => {
      const rows = series('confirmed', values);
      const ok = resultOf(
        warn({ expect: expectName, column: 'confirmed', min: observed, max: observed }),
        rows,
      );
      expect(ok).toMatchObject({ success: true, observedValue: observed, elementCount: 5 });
      const bad = resultOf(warn({ expect: expectName, column: 'confirmed', min: observed + 1 }), rows);
      expect(bad).toMatchObject({ success: false, observedValue: observed });
    });
  }

  it('stdev_between uses the sample standard deviation', () => {
    const rows = series('ratio', [2, 4, 4, 4, 5, 5, 7, 9]);
    const r = resultOf(warn({ expect: 'stdev_between', column: 'ratio', min: 2.1, max: 2.2 }), rows);
    expect(r.success).toBe(true);
    expect(r.observedValue).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(resultOf(warn({ expect: 'stdev_between', column: 'ratio', max: 2 }), rows).success).toBe(false);
  });

  it('is unsuccessful with nothing to measure', () => {
    const rows = series('confirmed', [null, null]);
    const r = resultOf(warn({ expect: 'mean_between', column: 'confirmed', min: 0 }), rows);
    expect(r).toMatchObject({ success: false, observedValue: null, elementCount: 0 });
    const one = resultOf(warn({ expect: 'stdev_between', column: 'ratio', min: 0 }), series('ratio', [1]));
    expect(one).toMatchObject({ success: false, observedValue: null });
  });

  it('median of an even count is the mean of the middle two', () => {
    const r = resultOf(
      warn({ expect: 'median_between', column: 'ratio', min: 0 }),
      series('ratio', [4, 1, 3, 2]),
    );
    expect(r.observedValue).toBe(2.5);
  });
});

describe('unique_proportion_between', () => {
  const spec = warn({ expect: 'unique_proportion_between', column: 'code', min: 0.5, max: 1 });
  it('observes distinct / non-null', () => {
    expect(resultOf(spec, series('code', ['a', 'b', 'a', 'c', null]))).toMatchObject({
      success: true,
      observedValue: 0.75,
      elementCount: 4,
    });
    // Inclusive bound: 2 distinct of 4 is exactly 0.5.
    expect(resultOf(spec, series('code', ['a', 'a', 'a', 'b']))).toMatchObject({
      success: true,
      observedValue: 0.5,
    });
    expect(resultOf(spec, series('code', ['a', 'a', 'a', 'a']))).toMatchObject({
      success: false,
      observedValue: 0.25,
    });
  });
});

describe('distinct_values_in_set', () => {
  const spec = warn({ expect: 'distinct_values_in_set', column: 'code', values: ['a', 'b', 'c'] });
  it('passes when every distinct value is allowed (not all need to appear)', () => {
    const r = resultOf(spec, series('code', ['a', 'a', null]));
    expect(r).toMatchObject({ success: true, observedValue: ['a'] });
  });
  it('fails on a stray value, counting its rows and sampling it once', () => {
    const r = resultOf(spec, series('code', ['a', 'x', 'x', 'b']));
    expect(r).toMatchObject({ success: false, elementCount: 4, unexpectedCount: 2 });
    expect(r.sample).toEqual([{ rowNumber: 2, rawBatchId: 'batch-1', value: 'x' }]);
  });
});

describe('columns_match_set', () => {
  const spec = warn({ expect: 'columns_match_set', values: ['country', 'date', 'confirmed'] });
  it('passes on the same set in any order', () => {
    const r = resultOf(spec, [row({}, 1)], { presentColumns: ['confirmed', 'country', 'date'] });
    expect(r).toMatchObject({ success: true, observedValue: ['confirmed', 'country', 'date'] });
  });
  it('lists missing and unexpected columns', () => {
    const r = resultOf(spec, [row({}, 1)], { presentColumns: ['country', 'date', 'extra'] });
    expect(r).toMatchObject({
      success: false,
      unexpectedCount: 1,
      details: { missing: ['confirmed'], unexpected: ['extra'] },
    });
  });
});

describe('fresh_within', () => {
  const spec = warn({ expect: 'fresh_within', maxAge: 'P2D' });
  it('passes when the newest event time is within maxAge of now', () => {
    const rows = [row({ date: NOW - 10 * DAY }, 1), row({ date: NOW - 2 * DAY }, 2)];
    expect(resultOf(spec, rows)).toMatchObject({
      success: true,
      observedValue: new Date(NOW - 2 * DAY).toISOString(),
    });
  });
  it('fails when stale or empty', () => {
    expect(resultOf(spec, [row({ date: NOW - 3 * DAY }, 1)]).success).toBe(false);
    expect(resultOf(spec, [])).toMatchObject({ success: false, observedValue: null });
  });
});
