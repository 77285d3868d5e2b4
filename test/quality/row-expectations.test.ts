import { describe, expect, it } from 'vitest';
import type { ExpectationSpec } from '../../src/domain/contract';
import { DAY, NOW, T0, resultOf, row, series, validate } from './fixtures';

const warn = (spec: Omit<ExpectationSpec, 'severity'>): ExpectationSpec => ({ severity: 'warn', ...spec });

describe('not_null', () => {
  const spec = warn({ expect: 'not_null', column: 'deaths' });

  it('passes when every cell has a value', () => {
    const r = resultOf(spec, series('deaths', [1, 2, 3]));
    expect(r).toMatchObject({ success: true, elementCount: 3, unexpectedCount: 0, unexpectedPercent: 0 });
  });

  it('counts null cells (and only not_null counts them) with row numbers in the sample', () => {
    const r = resultOf(spec, series('deaths', [1, null, 3, null]));
    expect(r).toMatchObject({ success: false, elementCount: 4, unexpectedCount: 2, unexpectedPercent: 50 });
    expect(r.sample).toEqual([
      { rowNumber: 2, rawBatchId: 'batch-1', value: null },
      { rowNumber: 4, rawBatchId: 'batch-1', value: null },
    ]);
  });

  it('treats a missing key as null', () => {
    const r = resultOf(spec, [row({}, 1)]);
    expect(r).toMatchObject({ success: false, unexpectedCount: 1 });
  });

  it('succeeds with mostly when the unexpected share is small enough', () => {
    const rows = series('deaths', [1, 2, 3, 4, 5, 6, 7, 8, 9, null]);
    expect(resultOf({ ...spec, mostly: 0.9 }, rows)).toMatchObject({
      success: true,
      unexpectedCount: 1,
      mostly: 0.9,
    });
    expect(resultOf({ ...spec, mostly: 0.95 }, rows).success).toBe(false);
  });
});

describe('between', () => {
  const spec = warn({ expect: 'between', column: 'confirmed', min: 0, max: 10 });

  it('is inclusive at both ends and skips nulls', () => {
    const r = resultOf(spec, series('confirmed', [0, 10, 5, null]));
    expect(r).toMatchObject({ success: true, elementCount: 3, unexpectedCount: 0 });
  });

  it('flags values outside', () => {
    const r = resultOf(spec, series('confirmed', [-1, 11, 5, 6]));
    expect(r).toMatchObject({ success: false, elementCount: 4, unexpectedCount: 2, unexpectedPercent: 50 });
    expect(r.sample.map((s) => s.value)).toEqual([-1, 11]);
  });

  it('accepts an open bound', () => {
    const r = resultOf(
      warn({ expect: 'between', column: 'confirmed', min: 3 }),
      series('confirmed', [3, 1e9, 2]),
    );
    expect(r.unexpectedCount).toBe(1);
  });

  it('works on dates (epoch ms bounds)', () => {
    const spec2 = warn({ expect: 'between', column: 'date', min: T0, max: T0 + DAY });
    const rows = [row({ date: T0 }, 1), row({ date: T0 + DAY }, 2), row({ date: T0 + 2 * DAY }, 3)];
    expect(resultOf(spec2, rows)).toMatchObject({ success: false, unexpectedCount: 1 });
  });

  it('honours mostly', () => {
    const rows = series('confirmed', [1, 2, 3, 99]);
    expect(resultOf({ ...spec, mostly: 0.75 }, rows).success).toBe(true);
    expect(resultOf({ ...spec, mostly: 0.8 }, rows).success).toBe(false);
  });
});

describe('in_set / not_in_set', () => {
  it('in_set passes values from the set and flags others', () => {
    const spec = warn({ expect: 'in_set', column: 'code', values: ['FR', 'DE'] });
    expect(resultOf(spec, series('code', ['FR', 'DE', null])).success).toBe(true);
    const r = resultOf(spec, series('code', ['FR', 'XX', 'DE', 'YY']));
    expect(r).toMatchObject({ success: false, unexpectedCount: 2 });
    expect(resultOf({ ...spec, mostly: 0.5 }, series('code', ['FR', 'XX', 'DE', 'YY'])).success).toBe(true);
  });

  it('in_set brings YAML values to the column type', () => {
    const spec = warn({ expect: 'in_set', column: 'confirmed', values: ['1', '2'] });
    expect(resultOf(spec, series('confirmed', [1, 2])).success).toBe(true);
    const onDate = warn({ expect: 'in_set', column: 'date', values: ['2024-01-01'] });
    expect(resultOf(onDate, [row({ date: T0 }, 1)]).success).toBe(true);
  });

  it('not_in_set flags forbidden values', () => {
    const spec = warn({ expect: 'not_in_set', column: 'code', values: ['ZZ'] });
    expect(resultOf(spec, series('code', ['FR', null])).success).toBe(true);
    const r = resultOf(spec, series('code', ['FR', 'ZZ', 'ZZ', 'DE']));
    expect(r).toMatchObject({ success: false, unexpectedCount: 2, elementCount: 4 });
    expect(resultOf({ ...spec, mostly: 0.5 }, series('code', ['FR', 'ZZ', 'ZZ', 'DE'])).success).toBe(true);
  });
});

describe('match_regex', () => {
  const spec = warn({ expect: 'match_regex', column: 'code', regex: '^[A-Z]{2}$' });

  it('passes matching values and flags the rest', () => {
    expect(resultOf(spec, series('code', ['FR', 'DE', null])).success).toBe(true);
    const r = resultOf(spec, series('code', ['FR', 'fra', 'D']));
    expect(r).toMatchObject({ success: false, unexpectedCount: 2, elementCount: 3 });
  });

  it('searches (unanchored) like JSON Schema pattern', () => {
    const r = resultOf(
      warn({ expect: 'match_regex', column: 'code', regex: '\\d' }),
      series('code', ['a1b', 'abc']),
    );
    expect(r.unexpectedCount).toBe(1);
  });

  it('runs a pattern that backtracks exponentially in linear time (RE2)', () => {
    // 40 characters: a backtracking engine needs about 2^40 steps here (the test would time out).
    const evil = warn({ expect: 'match_regex', column: 'code', regex: '^(a|a)*$' });
    const r = resultOf(evil, series('code', ['a'.repeat(40) + 'b', 'aaaa']));
    expect(r).toMatchObject({ success: false, unexpectedCount: 1, elementCount: 2 });
  });

  it('honours mostly', () => {
    expect(resultOf({ ...spec, mostly: 0.6 }, series('code', ['FR', 'DE', 'x'])).success).toBe(true);
    expect(resultOf({ ...spec, mostly: 0.7 }, series('code', ['FR', 'DE', 'x'])).success).toBe(false);
  });
});

describe('length_between', () => {
  const spec = warn({ expect: 'length_between', column: 'code', min: 2, max: 3 });

  it('checks string lengths inclusively', () => {
    expect(resultOf(spec, series('code', ['ab', 'abc', null])).success).toBe(true);
    const r = resultOf(spec, series('code', ['a', 'abcd', 'ab']));
    expect(r).toMatchObject({ success: false, unexpectedCount: 2 });
    expect(resultOf({ ...spec, mostly: 0.3 }, series('code', ['a', 'abcd', 'ab'])).success).toBe(true);
  });
});

describe('of_type', () => {
  it('checks each declared type', () => {
    const cases: Array<[ExpectationSpec['type'], string, unknown[], unknown[]]> = [
      ['string', 'code', ['a'], [1]],
      ['integer', 'confirmed', [1, -3], [1.5]],
      ['number', 'ratio', [1.5, 2], ['x', Infinity]],
      ['boolean', 'active', [true, false], ['true']],
      ['date', 'seen_at', [T0], [T0 + 1]],
      ['timestamp', 'seen_at', [T0 + 1], ['2024-01-01']],
    ];
    for (const [type, column, good, bad] of cases) {
      const spec = warn({ expect: 'of_type', column, type });
      const rows = series(column, [...good, ...bad] as never[]);
      const r = resultOf(spec, rows);
      expect(r.unexpectedCount, `${type}`).toBe(bad.length);
      expect(resultOf({ ...spec, mostly: 0.1 }, rows).success, `${type} mostly`).toBe(true);
    }
  });
});

describe('no_future_event_time', () => {
  const spec = warn({ expect: 'no_future_event_time' });

  it('passes event times at or before now', () => {
    const rows = [row({ date: NOW - DAY }, 1), row({ date: NOW }, 2)];
    expect(resultOf(spec, rows)).toMatchObject({ success: true, column: 'date', elementCount: 2 });
  });

  it('flags event times after now, sampled as ISO strings', () => {
    const future = NOW + DAY;
    const r = resultOf(spec, [row({ date: NOW }, 1), row({ date: future }, 2)]);
    expect(r).toMatchObject({ success: false, unexpectedCount: 1 });
    expect(r.sample).toEqual([
      { rowNumber: 2, rawBatchId: 'batch-1', value: new Date(future).toISOString() },
    ]);
    expect(
      resultOf({ ...spec, mostly: 0.5 }, [row({ date: NOW }, 1), row({ date: future }, 2)]).success,
    ).toBe(true);
  });

  it('uses the clock from the context, not the machine', () => {
    const rows = [row({ date: NOW + DAY }, 1)];
    expect(validate([spec], rows, { now: NOW + 2 * DAY }).report.results[1]!.success).toBe(true);
  });
});

describe('samples and percentages', () => {
  it('keeps at most 20 unexpected values', () => {
    const rows = series(
      'deaths',
      Array.from({ length: 50 }, () => null),
    );
    const r = resultOf(warn({ expect: 'not_null', column: 'deaths' }), rows);
    expect(r.unexpectedCount).toBe(50);
    expect(r.sample).toHaveLength(20);
    expect(r.sample[19]!.rowNumber).toBe(20);
  });

  it('reports 0% and success when every cell is null (nothing to look at)', () => {
    const r = resultOf(
      warn({ expect: 'between', column: 'confirmed', min: 0 }),
      series('confirmed', [null, null]),
    );
    expect(r).toMatchObject({ success: true, elementCount: 0, unexpectedPercent: 0 });
  });
});
