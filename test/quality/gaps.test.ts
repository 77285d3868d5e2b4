/** no_gaps over a batch: per entity, in event-time order whatever the batch order. */
import { describe, expect, it } from 'vitest';
import { compileChecks } from '../../src/quality';
import { contract, DAY, resultOf, row, T0, validate } from './fixtures';

const NO_GAPS = { expect: 'no_gaps', interval: 'P1D', severity: 'fail' } as const;

describe('no_gaps (batch)', () => {
  it('holds on a daily series given out of order', () => {
    const rows = [2, 0, 1].map((d) => row({ country: 'fr', date: T0 + d * DAY }));
    expect(resultOf(NO_GAPS, rows)).toMatchObject({ success: true, elementCount: 1, unexpectedCount: 0 });
  });

  it('counts gaps, entities with gaps and missing steps, and samples them with their row', () => {
    const rows = [
      row({ country: 'fr', date: T0 }, 1),
      row({ country: 'fr', date: T0 + 3 * DAY }, 2),
      row({ country: 'fr', date: T0 + 5 * DAY }, 3),
      row({ country: 'de', date: T0 }, 4),
      row({ country: 'de', date: T0 + DAY }, 5),
    ];
    const r = resultOf(NO_GAPS, rows);
    expect(r).toMatchObject({
      success: false,
      elementCount: 2,
      unexpectedCount: 2,
      observedValue: 1,
      details: { interval: 'P1D', gaps: 2, entitiesWithGaps: 1, missing: 3 },
    });
    expect(r.sample[0]).toEqual({
      rowNumber: 2,
      rawBatchId: 'batch-1',
      value: {
        entity: 'fr',
        from: new Date(T0).toISOString(),
        to: new Date(T0 + 3 * DAY).toISOString(),
        missing: 2,
      },
    });
    // A failing `fail` check fails the run; `warn` only reports it.
    expect(validate([NO_GAPS], rows).report.success).toBe(false);
    expect(validate([{ ...NO_GAPS, severity: 'warn' }], rows).report.success).toBe(true);
  });

  it('keeps scope: view checks out of the batch pass', () => {
    const compiled = compileChecks(contract([{ ...NO_GAPS, scope: 'view' }]));
    expect(compiled.checks).toEqual([]);
    expect(compiled.viewChecks.map((c) => c.spec.expect)).toEqual(['no_gaps']);
    expect(() =>
      compileChecks(contract([{ expect: 'not_null', column: 'code', severity: 'warn', scope: 'view' }])),
    ).toThrow(/expectations\[0\] \(not_null\) does not accept scope: view/);
  });
});
