/** The CLI's report lines name the view scope and show view samples by entity, not row. */
import { describe, expect, it } from 'vitest';
import { resultLines } from '../../src/cli/report-format';

describe('resultLines', () => {
  it('marks a view-scope result and its observed value against the bounds', () => {
    const lines = resultLines({
      expect: 'row_count_between',
      severity: 'fail',
      scope: 'view',
      success: false,
      elementCount: 8,
      unexpectedCount: 0,
      unexpectedPercent: 0,
      observedValue: 8,
      sample: [],
      details: { max: 6 },
    });
    expect(lines).toEqual(['  FAIL row_count_between [fail scope=view] observed 8, max 6']);
  });

  it('shows a gap sample as the view, with its entity and steps', () => {
    const gap = {
      entity: 'FRA',
      from: '2024-12-29T00:00:00.000Z',
      to: '2024-12-31T00:00:00.000Z',
      missing: 1,
    };
    const lines = resultLines({
      expect: 'no_gaps',
      severity: 'warn',
      scope: 'view',
      success: false,
      elementCount: 2,
      unexpectedCount: 1,
      unexpectedPercent: 50,
      observedValue: 1,
      sample: [{ value: gap }],
      details: { interval: 'P1D', gaps: 1, entitiesWithGaps: 1, missing: 1 },
    });
    expect(lines).toEqual([
      '  warn no_gaps [warn scope=view] 1 gap in 1 of 2 entities (1 step of P1D missing)',
      `         view: ${JSON.stringify(gap)}`,
    ]);
  });

  it('says a drift check has no baseline yet instead of "observed null"', () => {
    const lines = resultLines({
      expect: 'distribution_stable',
      column: 'confirmed',
      severity: 'warn',
      success: true,
      elementCount: 0,
      unexpectedCount: 0,
      unexpectedPercent: 0,
      observedValue: null,
      sample: [],
      details: {
        max: 0.2,
        note: 'no baseline yet: no earlier succeeded run stored a profile of this column',
      },
    });
    expect(lines).toEqual([
      '  ok   distribution_stable(confirmed) [warn] no baseline yet: no earlier succeeded run stored a profile of this column',
    ]);
  });
});
