import { describe, expect, it } from 'vitest';
import type { ExpectationSpec, Severity } from '../../src/domain/contract';
import { DAY, NOW, T0, row, series, validate } from './fixtures';

const notNull = (severity: Severity, mostly?: number): ExpectationSpec => ({
  expect: 'not_null',
  column: 'deaths',
  severity,
  ...(mostly === undefined ? {} : { mostly }),
});

describe('severity reject (row expectations)', () => {
  it('quarantines failing rows with a reason and keeps the run successful', () => {
    const out = validate([notNull('reject')], series('deaths', [1, null, 3]));
    expect(out.accepted.map((r) => r.rowNumber)).toEqual([1, 3]);
    expect(out.rejected).toEqual([
      {
        row: expect.objectContaining({ rowNumber: 2 }),
        reasons: [{ rule: 'not_null', column: 'deaths', message: 'deaths is null', value: null }],
      },
    ]);
    expect(out.report.success).toBe(true);
    expect(out.report.results[1]!.success).toBe(false);
  });

  it('rejects failing rows even when mostly lets the expectation succeed', () => {
    const out = validate([notNull('reject', 0.5)], series('deaths', [1, null, 3]));
    expect(out.report.results[1]!.success).toBe(true);
    expect(out.rejected.map((r) => r.row.rowNumber)).toEqual([2]);
  });

  it('gives a row one reason per failed check', () => {
    const specs: ExpectationSpec[] = [
      { expect: 'between', column: 'confirmed', min: 0, severity: 'reject' },
      { expect: 'match_regex', column: 'code', regex: '^[A-Z]+$', severity: 'reject' },
      { expect: 'no_future_event_time', severity: 'reject' },
      { expect: 'not_null', column: 'deaths', severity: 'warn' },
    ];
    const out = validate(specs, [row({ confirmed: -5, code: 'x', date: NOW + DAY }, 7)]);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]!.reasons.map((r) => [r.rule, r.column])).toEqual([
      ['between', 'confirmed'],
      ['match_regex', 'code'],
      ['no_future_event_time', 'date'],
    ]);
  });

  it('rejects all but the first row of each duplicate group for unique / compound_unique', () => {
    const rows = [
      row({ country: 'fr', date: T0 }, 1),
      row({ country: 'fr', date: T0 }, 2),
      row({ country: 'de' }, 3),
    ];
    const out = validate([{ expect: 'compound_unique', severity: 'reject' }], rows);
    expect(out.accepted.map((r) => r.rowNumber)).toEqual([1, 3]);
    expect(out.rejected[0]!.reasons[0]).toMatchObject({
      rule: 'compound_unique',
      message: 'duplicate country, date',
    });
    expect(out.report.success).toBe(true);

    const u = validate(
      [{ expect: 'unique', column: 'code', severity: 'reject' }],
      series('code', ['a', 'a', 'a']),
    );
    expect(u.rejected.map((r) => r.row.rowNumber)).toEqual([2, 3]);
    expect(u.rejected[0]!.reasons[0]).toMatchObject({ rule: 'unique', column: 'code', value: 'a' });
  });

  it('behaves as fail for aggregate table expectations (no row to blame)', () => {
    const out = validate(
      [{ expect: 'row_count_between', min: 5, severity: 'reject' }],
      series('deaths', [1]),
    );
    expect(out.rejected).toEqual([]);
    expect(out.report.success).toBe(false);
  });
});

describe('severity fail', () => {
  it('fails the run when unsuccessful, without rejecting rows', () => {
    const out = validate([notNull('fail')], series('deaths', [1, null]));
    expect(out.report.success).toBe(false);
    expect(out.rejected).toEqual([]);
    expect(out.accepted).toHaveLength(2);
  });

  it('does not fail the run when mostly makes it succeed', () => {
    expect(validate([notNull('fail', 0.5)], series('deaths', [1, null])).report.success).toBe(true);
  });

  it('fails the run for a table expectation too', () => {
    const spec: ExpectationSpec = { expect: 'fresh_within', maxAge: 'PT1H', severity: 'fail' };
    expect(validate([spec], [row({ date: NOW - DAY }, 1)]).report.success).toBe(false);
  });
});

describe('severity warn', () => {
  it('only reports: run successful, result unsuccessful, no rejects', () => {
    const out = validate(
      [notNull('warn'), { expect: 'mean_between', column: 'deaths', max: 0, severity: 'warn' }],
      series('deaths', [1, null]),
    );
    expect(out.report.success).toBe(true);
    expect(out.report.results.slice(1).map((r) => r.success)).toEqual([false, false]);
    expect(out.rejected).toEqual([]);
  });
});

describe('report', () => {
  it('lists schema first then expectations in contract order, with statistics', () => {
    const out = validate(
      [notNull('warn'), { expect: 'row_count_between', min: 1, severity: 'fail' }, notNull('reject')],
      series('deaths', [1, null]),
    );
    expect(out.report.results.map((r) => r.expect)).toEqual([
      'schema',
      'not_null',
      'row_count_between',
      'not_null',
    ]);
    expect(out.report.statistics).toEqual({
      evaluatedExpectations: 4,
      successfulExpectations: 2,
      unsuccessfulExpectations: 2,
      successPercent: 50,
    });
    expect(out.report.success).toBe(true);
  });

  it('echoes mostly only when the contract gave it', () => {
    const out = validate([notNull('warn'), notNull('warn', 0.9)], series('deaths', [1]));
    expect(out.report.results[1]).not.toHaveProperty('mostly');
    expect(out.report.results[2]).toHaveProperty('mostly', 0.9);
  });

  it('is JSON-serialisable as stored with the run', () => {
    const out = validate(
      [notNull('warn'), { expect: 'fresh_within', maxAge: 'P1D', severity: 'warn' }],
      series('deaths', [null]),
    );
    expect(JSON.parse(JSON.stringify(out.report))).toEqual(out.report);
  });
});
