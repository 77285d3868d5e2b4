/**
 * `scope: view` expectations, end to end on the real store: checked inside the commit on
 * the view as the run leaves it (earlier runs' rows count, rolled back and superseded
 * ones do not), a failing `fail` rolls the run back whole, a `warn` is kept in the report.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/run';
import type { ExpectationResult } from '../../src/domain/validation-report';
import { T } from '../../src/store/tables';
import { testEngine } from '../support/engine';
import { countRows, createTestRuntime, type TestRuntime } from '../support/runtime';

const CONTRACT = `
name: cases
version: 1.0.0
owner: tests
entity: { name: country, key: [country] }
eventTime: date
source: { type: csv, path: "cases/*.csv" }
schema:
  - { name: date, type: date, required: true }
  - { name: country, type: string, required: true }
  - { name: total, type: integer }
expectations:
  - { expect: row_count_between, max: 6, severity: fail, scope: view }
  - { expect: compound_unique, columns: [country, date], severity: fail, scope: view }
  - { expect: no_gaps, interval: P1D, severity: warn, scope: view }
  - { expect: fresh_within, maxAge: P2D, severity: warn, scope: view }
  - { expect: row_count_between, min: 1, severity: fail }
features:
  - { name: total, column: total }
`;

const HOUR = 3_600_000;
const csv = (...lines: string[]) => ['date,country,total', ...lines].join('\n') + '\n';

describe(`scope: view expectations (${testEngine()})`, () => {
  let rt: TestRuntime;
  afterEach(() => rt?.dispose());

  async function runFile(name: string, content: string): Promise<Run> {
    await rt.land(`cases/${name}`, content);
    rt.clock.advance(HOUR);
    return rt.runs.trigger({ contract: 'cases', environment: 'dev', actor: 'test' });
  }

  const viewResult = (run: Run, expect: string): ExpectationResult =>
    run.validation!.results.find((r) => r.expect === expect && r.scope === 'view')!;

  it('pass, warn, gaps with a sample, and a failing check that rolls the run back', async () => {
    rt = await createTestRuntime({ contracts: [CONTRACT] });
    const a = await runFile('a.csv', csv('2024-12-29,DEU,1', '2024-12-30,DEU,2', '2024-12-29,FRA,3'));
    expect(a.status).toBe('succeeded');
    expect(viewResult(a, 'row_count_between')).toMatchObject({
      success: true,
      severity: 'fail',
      observedValue: 3,
      details: { max: 6 },
    });
    expect(viewResult(a, 'compound_unique')).toMatchObject({
      success: true,
      elementCount: 3,
      unexpectedCount: 0,
    });
    expect(viewResult(a, 'no_gaps')).toMatchObject({ success: true, elementCount: 2, unexpectedCount: 0 });
    // Newest 2024-12-30, the run's clock is 2025-01-01T01:00: older than two days, a warning.
    expect(viewResult(a, 'fresh_within')).toMatchObject({
      success: false,
      severity: 'warn',
      observedValue: '2024-12-30T00:00:00.000Z',
    });
    expect(a.validation!.success).toBe(true);
    // The batch result stays unmarked: the scope is the default.
    expect(a.validation!.results.find((r) => r.expect === 'row_count_between' && !r.scope)).toMatchObject({
      observedValue: 3,
    });

    // FRA jumps from 12-29 to 12-31: one gap of one missing day, seen across two runs.
    const b = await runFile('b.csv', csv('2024-12-31,DEU,4', '2024-12-31,FRA,5'));
    expect(b.status).toBe('succeeded');
    expect(viewResult(b, 'row_count_between').observedValue).toBe(5);
    expect(viewResult(b, 'fresh_within').success).toBe(true);
    expect(viewResult(b, 'no_gaps')).toMatchObject({
      success: false,
      severity: 'warn',
      elementCount: 2,
      unexpectedCount: 1,
      observedValue: 1,
      details: { interval: 'P1D', gaps: 1, entitiesWithGaps: 1, missing: 1 },
      sample: [
        {
          value: {
            entity: 'FRA',
            from: '2024-12-29T00:00:00.000Z',
            to: '2024-12-31T00:00:00.000Z',
            missing: 1,
          },
        },
      ],
    });

    // DEU 12-30 again, in another run: a duplicate in the view (not in the batch).
    const featureRows = await countRows(rt, T.featureRows);
    const edges = await countRows(rt, T.lineageEdges);
    const c = await runFile('c.csv', csv('2024-12-30,DEU,6'));
    expect(c.status).toBe('failed');
    expect(c.errorKind).toBe('validation');
    expect(c.error).toContain('compound_unique');
    expect(viewResult(c, 'compound_unique')).toMatchObject({
      success: false,
      elementCount: 6,
      unexpectedCount: 1,
      sample: [{ value: { country: 'DEU', date: '2024-12-30T00:00:00.000Z', rows: 2 } }],
    });
    expect(c.validation!.success).toBe(false);
    expect(c.counts.written).toBe(0);
    expect(await countRows(rt, T.featureRows)).toBe(featureRows);
    expect(await countRows(rt, T.lineageEdges)).toBe(edges);
    const served = await rt.features.features({ contract: 'cases', entities: ['DEU'], environment: 'dev' });
    expect(served[0]).toMatchObject({ values: { total: 4 }, runId: b.id });
  });

  it('counts only visible rows: rolled back and superseded runs do not count', async () => {
    rt = await createTestRuntime({ contracts: [CONTRACT] });
    const a = await runFile('a.csv', csv('2024-12-29,DEU,1', '2024-12-30,DEU,2', '2024-12-29,FRA,3'));
    const b = await runFile('b.csv', csv('2024-12-31,DEU,4', '2024-12-31,FRA,5'));
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);

    // Three more rows: eight in the view with b, too many; six once b is rolled back.
    const tooMany = await runFile('c.csv', csv('2024-12-30,FRA,6', '2024-12-31,ITA,7', '2024-12-30,ITA,8'));
    expect(tooMany.status).toBe('failed');
    expect(viewResult(tooMany, 'row_count_between')).toMatchObject({ success: false, observedValue: 8 });

    rt.clock.advance(HOUR);
    await rt.runs.rollback(b.id, 'test');
    const d = await runFile('d.csv', csv('2024-12-30,FRA,9', '2024-12-31,ITA,7', '2024-12-30,ITA,8'));
    expect(d.status).toBe('succeeded');
    expect(viewResult(d, 'row_count_between').observedValue).toBe(6);
    // b's DEU 12-31 is gone from the view, and b's FRA 12-31 with it: no gap left.
    expect(viewResult(d, 'no_gaps')).toMatchObject({ success: true, unexpectedCount: 0, elementCount: 3 });

    // Reprocessing a writes its three rows again; the superseded copies do not count.
    rt.clock.advance(HOUR);
    const again = await rt.runs.reprocess(a.id, { actor: 'test' });
    expect(again.status).toBe('succeeded');
    expect(viewResult(again, 'compound_unique')).toMatchObject({ success: true, unexpectedCount: 0 });
    expect(viewResult(again, 'row_count_between').observedValue).toBe(6);
  });

  it('a daily series is checked from the last record; a run its checks fail leaves none', async () => {
    rt = await createTestRuntime({ contracts: [CONTRACT.replace('max: 6', 'max: 100')] });
    const records = async () =>
      (await rt.store.db(T.viewCheckState).orderBy('check_key')).map((r) => ({
        check: r.check_key,
        by: r.checked_by_run,
        clean: Boolean(r.clean),
        tally: r.tally === null ? null : Number(r.tally),
      }));
    const a = await runFile('a.csv', csv('2024-12-29,DEU,1', '2024-12-29,FRA,2'));
    const b = await runFile('b.csv', csv('2024-12-30,DEU,3', '2024-12-30,FRA,4'));
    expect(await records()).toEqual([
      { check: 'compound_unique', by: b.id, clean: true, tally: null },
      { check: 'no_gaps:86400000', by: b.id, clean: true, tally: 2 },
      { check: 'row_count', by: b.id, clean: true, tally: 4 },
    ]);
    expect(a.status).toBe('succeeded');

    // A duplicate, found from the record: the run fails and its record goes with it.
    const dup = await runFile('c.csv', csv('2024-12-30,DEU,5'));
    expect(dup.status).toBe('failed');
    expect(viewResult(dup, 'compound_unique')).toMatchObject({
      unexpectedCount: 1,
      elementCount: 5,
      sample: [{ value: { country: 'DEU', date: '2024-12-30T00:00:00.000Z', rows: 2 } }],
    });
    expect((await records()).map((r) => r.by)).toEqual([b.id, b.id, b.id]);

    // A new entity and a skipped day, from b's record.
    const d = await runFile('d.csv', csv('2024-12-31,DEU,6', '2025-01-01,FRA,7', '2024-12-31,ITA,8'));
    expect(d.status).toBe('succeeded');
    expect(viewResult(d, 'row_count_between').observedValue).toBe(7);
    expect(viewResult(d, 'no_gaps')).toMatchObject({
      success: false,
      elementCount: 3,
      details: { gaps: 1, entitiesWithGaps: 1, missing: 1 },
      sample: [
        { value: { entity: 'FRA', from: '2024-12-30T00:00:00.000Z', to: '2025-01-01T00:00:00.000Z' } },
      ],
    });
    expect(await records()).toEqual([
      { check: 'compound_unique', by: d.id, clean: true, tally: null },
      { check: 'no_gaps:86400000', by: d.id, clean: false, tally: 3 },
      { check: 'row_count', by: d.id, clean: true, tally: 7 },
    ]);

    // The view has a gap now, so the next run reads it whole, and finds the same gap.
    const e = await runFile('e.csv', csv('2025-01-01,DEU,9', '2025-01-02,FRA,10'));
    expect(viewResult(e, 'no_gaps')).toMatchObject({ details: { gaps: 1, entitiesWithGaps: 1, missing: 1 } });
    expect(viewResult(e, 'row_count_between').observedValue).toBe(9);

    // After a rollback the record is for other runs: the whole view again, without d's rows
    // (DEU misses 12-31, FRA 12-31 and 01-01).
    rt.clock.advance(HOUR);
    await rt.runs.rollback(d.id, 'test');
    const f = await runFile('f.csv', csv('2025-01-03,FRA,11'));
    expect(viewResult(f, 'row_count_between').observedValue).toBe(7);
    expect(viewResult(f, 'no_gaps')).toMatchObject({
      elementCount: 2,
      details: { gaps: 2, entitiesWithGaps: 2, missing: 3 },
    });
  });
});
