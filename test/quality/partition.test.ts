import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExpectationSpec } from '../../src/domain/contract';
import type { CleanRow } from '../../src/domain/rows';
import { DAY, NOW, T0, row, validate } from './fixtures';

const SPECS: ExpectationSpec[] = [
  { expect: 'not_null', column: 'deaths', severity: 'reject', mostly: 0.5 },
  { expect: 'between', column: 'confirmed', min: 0, severity: 'reject' },
  { expect: 'in_set', column: 'code', values: ['a', 'b'], severity: 'warn' },
  { expect: 'non_decreasing', column: 'confirmed', severity: 'reject' },
  { expect: 'no_future_event_time', severity: 'fail' },
  { expect: 'compound_unique', severity: 'reject' },
  { expect: 'mean_between', column: 'confirmed', min: 0, severity: 'reject' },
  { expect: 'unique', column: 'code', severity: 'warn' },
];

const arbRows: fc.Arbitrary<CleanRow[]> = fc
  .array(
    fc.record({
      country: fc.constantFrom('fr', 'de', 'it'),
      day: fc.integer({ min: 0, max: 12 }),
      confirmed: fc.option(fc.integer({ min: -3, max: 20 })),
      deaths: fc.option(fc.integer({ min: 0, max: 5 })),
      code: fc.option(fc.constantFrom('a', 'b', 'c')),
    }),
    { maxLength: 60 },
  )
  .map((recs) =>
    recs.map((r, i) =>
      row(
        {
          country: r.country,
          date: T0 + r.day * DAY,
          confirmed: r.confirmed,
          deaths: r.deaths,
          code: r.code,
        },
        i + 1,
      ),
    ),
  );

describe('validateBatch partitions its input', () => {
  it('accepted + rejected is exactly the input, each row once, order kept', () => {
    fc.assert(
      fc.property(arbRows, fc.integer({ min: T0, max: T0 + 20 * DAY }), (rows, now) => {
        const { accepted, rejected, report } = validate(SPECS, rows, { now });
        expect(accepted.length + rejected.length).toBe(rows.length);
        const seen = new Set([...accepted, ...rejected.map((r) => r.row)]);
        expect(seen.size).toBe(rows.length);
        for (const r of rows) expect(seen.has(r)).toBe(true);
        expect(accepted).toEqual(rows.filter((r) => accepted.includes(r)));
        for (const r of rejected) expect(r.reasons.length).toBeGreaterThan(0);
        expect(report.results).toHaveLength(SPECS.length + 1);
      }),
    );
  });

  it('rejects a row exactly when a simple rejecting rule fails on it (oracle for not_null and between)', () => {
    const simple = SPECS.slice(0, 2);
    fc.assert(
      fc.property(arbRows, (rows) => {
        const { rejected } = validate(simple, rows, { now: NOW });
        const expected = rows.filter((r) => r.values.deaths === null || (r.values.confirmed as number) < 0);
        expect(rejected.map((r) => r.row)).toEqual(expected);
        for (const { row: r, reasons } of rejected) {
          const n = Number(r.values.deaths === null) + Number((r.values.confirmed as number) < 0);
          expect(reasons).toHaveLength(n);
        }
      }),
    );
  });
});

describe('large batches', () => {
  it('validates 200k rows with every kind of check', () => {
    const n = 200_000;
    const rows: CleanRow[] = new Array(n);
    for (let i = 0; i < n; i++) {
      rows[i] = row(
        {
          country: `c${i % 500}`,
          date: T0 + Math.floor(i / 500) * DAY,
          confirmed: i,
          code: 'a',
          deaths: i % 2 === 0 ? null : 1,
        },
        i + 1,
      );
    }
    const specs: ExpectationSpec[] = [
      ...SPECS,
      { expect: 'median_between', column: 'confirmed', min: 0, severity: 'warn' },
      { expect: 'stdev_between', column: 'confirmed', min: 0, severity: 'warn' },
      { expect: 'match_regex', column: 'code', regex: '^[a-z]$', severity: 'reject' },
    ];
    const { accepted, rejected, report } = validate(specs, rows, { now: NOW + 1000 * DAY });
    // deaths is null on even rows: not_null (reject) quarantines them.
    expect(rejected).toHaveLength(n / 2);
    expect(accepted).toHaveLength(n / 2);
    // Aggregates describe the rows kept: the odd values 1 … n - 1, whose median is n / 2.
    expect(report.results.find((r) => r.expect === 'median_between')!.observedValue).toBe(n / 2);
  });

  // The documented decision (docs/validation.md): aggregates see the rows the run stores.
  it('aggregate expectations see only the rows the run stores, not the rejected ones', () => {
    const rows = [10, 12, -1_000_000, 14].map((confirmed, i) =>
      row({ confirmed, date: T0 + i * DAY, deaths: 0 }, i + 1),
    );
    const specs: ExpectationSpec[] = [
      { expect: 'between', column: 'confirmed', min: 0, severity: 'reject' },
      { expect: 'mean_between', column: 'confirmed', min: 10, max: 15, severity: 'fail' },
      { expect: 'row_count_between', min: 3, max: 3, severity: 'fail' },
    ];
    const { rejected, report } = validate(specs, rows, { now: NOW });
    expect(rejected.map((r) => r.row.rowNumber)).toEqual([3]);
    expect(report.results.map((r) => [r.expect, r.success, r.observedValue ?? null])).toEqual([
      ['schema', true, null],
      ['between', false, null],
      ['mean_between', true, 12],
      ['row_count_between', true, 3],
    ]);
    expect(report.success).toBe(true);
  });
});
