import { describe, expect, it } from 'vitest';
import type { ExpectationSpec } from '../../src/domain/contract';
import { DAY, T0, resultOf, row, validate } from './fixtures';

const inc: ExpectationSpec = { expect: 'increasing', column: 'confirmed', severity: 'warn' };
const nondec: ExpectationSpec = { expect: 'non_decreasing', column: 'confirmed', severity: 'warn' };

/** Rows for one entity: [day offset, value]; row numbers follow the array order. */
function entity(country: string, points: Array<[number, number | null]>, firstRow = 1) {
  return points.map(([d, v], i) => row({ country, date: T0 + d * DAY, confirmed: v }, firstRow + i));
}

describe('increasing', () => {
  it('passes a strictly increasing series', () => {
    expect(
      resultOf(
        inc,
        entity('fr', [
          [0, 1],
          [1, 2],
          [2, 5],
        ]),
      ),
    ).toMatchObject({ success: true, elementCount: 3 });
  });

  it('flags equal and smaller values, comparing consecutive values as GE does', () => {
    const r = resultOf(
      inc,
      entity('fr', [
        [0, 1],
        [1, 5],
        [2, 3],
        [3, 4],
        [4, 4],
      ]),
    );
    expect(r).toMatchObject({ success: false, unexpectedCount: 2 });
    expect(r.sample).toEqual([
      { rowNumber: 3, rawBatchId: 'batch-1', value: 3 },
      { rowNumber: 5, rawBatchId: 'batch-1', value: 4 },
    ]);
  });

  it('honours mostly', () => {
    const rows = entity('fr', [
      [0, 1],
      [1, 5],
      [2, 3],
      [3, 6],
    ]);
    expect(resultOf({ ...inc, mostly: 0.75 }, rows).success).toBe(true);
    expect(resultOf({ ...inc, mostly: 0.8 }, rows).success).toBe(false);
  });
});

describe('non_decreasing', () => {
  it('allows equal values and flags decreases', () => {
    expect(
      resultOf(
        nondec,
        entity('fr', [
          [0, 1],
          [1, 1],
          [2, 2],
        ]),
      ).success,
    ).toBe(true);
    const r = resultOf(
      nondec,
      entity('fr', [
        [0, 3],
        [1, 2],
      ]),
    );
    expect(r).toMatchObject({ success: false, unexpectedCount: 1 });
    expect(
      resultOf(
        { ...nondec, mostly: 0.5 },
        entity('fr', [
          [0, 3],
          [1, 2],
        ]),
      ).success,
    ).toBe(true);
  });

  it('orders by event time, not by arrival order', () => {
    // Arrives out of order; sorted by date it is 1, 2, 3.
    const rows = entity('fr', [
      [2, 3],
      [0, 1],
      [1, 2],
    ]);
    expect(resultOf(nondec, rows).success).toBe(true);
  });

  it('breaks event-time ties by row number', () => {
    const rows = entity('fr', [
      [0, 2],
      [0, 1],
    ]);
    expect(resultOf(nondec, rows).sample).toEqual([{ rowNumber: 2, rawBatchId: 'batch-1', value: 1 }]);
  });

  it('compares within an entity only', () => {
    const rows = [
      ...entity('fr', [
        [0, 100],
        [1, 101],
      ]),
      ...entity(
        'de',
        [
          [0, 1],
          [1, 2],
        ],
        3,
      ),
    ];
    expect(resultOf(nondec, rows).success).toBe(true);
  });

  it('skips nulls and compares with the last non-null value', () => {
    const r = resultOf(
      nondec,
      entity('fr', [
        [0, 5],
        [1, null],
        [2, 4],
      ]),
    );
    expect(r).toMatchObject({ elementCount: 2, unexpectedCount: 1 });
  });
});

describe('monotonic across runs (previous)', () => {
  const previous = new Map([['fr', { eventTime: T0 + 5 * DAY, values: { confirmed: 50 } }]]);

  it('compares the first newer row with the stored value', () => {
    const rows = entity('fr', [
      [6, 40],
      [7, 60],
    ]);
    const r = resultOf(nondec, rows, { previous });
    expect(r).toMatchObject({ success: false, unexpectedCount: 1, sample: [{ rowNumber: 1, value: 40 }] });
    expect(
      resultOf(
        nondec,
        entity('fr', [
          [6, 50],
          [7, 60],
        ]),
        { previous },
      ).success,
    ).toBe(true);
  });

  it('is strict for increasing', () => {
    expect(resultOf(inc, entity('fr', [[6, 50]]), { previous }).success).toBe(false);
  });

  it('ignores the stored value for rows at or before its event time (backfills)', () => {
    expect(
      resultOf(
        nondec,
        entity('fr', [
          [5, 10],
          [6, 55],
        ]),
        { previous },
      ).success,
    ).toBe(true);
    expect(resultOf(nondec, entity('fr', [[1, 10]]), { previous }).success).toBe(true);
  });

  it('ignores entities without a stored row and stored nulls', () => {
    const withNull = new Map([['fr', { eventTime: T0, values: { confirmed: null } }]]);
    expect(resultOf(nondec, entity('de', [[6, 1]]), { previous }).success).toBe(true);
    expect(resultOf(nondec, entity('fr', [[6, 1]]), { previous: withNull }).success).toBe(true);
  });

  it('rejects with severity reject, across runs too', () => {
    const out = validate(
      [{ ...nondec, severity: 'reject' }],
      entity('fr', [
        [6, 40],
        [7, 60],
      ]),
      { previous },
    );
    expect(out.rejected.map((r) => r.row.rowNumber)).toEqual([1]);
    expect(out.rejected[0]!.reasons).toEqual([
      expect.objectContaining({ rule: 'non_decreasing', column: 'confirmed', value: 40 }),
    ]);
  });
});
