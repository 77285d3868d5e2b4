/**
 * A failed run keeps everything it measured: counts, report and rejects (written after
 * the feature transaction rolled back, in their own), but no feature row. Reports say
 * which file each sampled row came from, show aggregates against their bounds, and a
 * contract can bound the share of rejected rows (policy.maxRejectedFraction).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { T } from '../../src/store/tables';
import { runDetail } from '../../src/cli/format';
import { rejectLines } from '../../src/cli/report-format';
import { testEngine } from '../support/engine';
import { countRows, createTestRuntime, type TestRuntime } from '../support/runtime';
import { startServer, type TestServer } from '../support/graphql';

const contract = (expectations: string, policy = '') => `
name: cases
version: 1.0.0
owner: tests
entity: { name: country, key: [country] }
eventTime: date
source: { type: csv, path: "cases/*.csv" }
schema:
  - { name: date, type: date, required: true }
  - { name: country, type: string, required: true }
  - { name: total, type: integer, minimum: 0 }
expectations:
${expectations}
features:
  - { name: total, column: total }
${policy}`;

/** Five rows: one does not parse as an integer, one is negative, one is an outlier. */
const DATA = [
  'date,country,total',
  '2024-01-01,DEU,10',
  '2024-01-02,DEU,many',
  '2024-01-01,FRA,-4',
  '2024-01-02,FRA,12',
  '2024-01-01,ITA,9000',
  '',
].join('\n');

describe(`a failed run keeps what it measured (${testEngine()})`, () => {
  let rt: TestRuntime;
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
    await rt?.dispose();
  });

  async function run(expectations: string, policy = '') {
    rt = await createTestRuntime({ contracts: [contract(expectations, policy)] });
    await rt.land('cases/day-1.csv', DATA);
    return rt.runs.trigger({ contract: 'cases', environment: 'dev', actor: 'test' });
  }

  it('counts, report and rejects, with the file beside each row; no feature row', async () => {
    const failed = await run(
      [
        '  - { expect: between, column: total, max: 100, severity: reject }',
        '  - { expect: row_count_between, min: 5, severity: fail }',
      ].join('\n'),
    );

    expect(failed.status).toBe('failed');
    const stored = (await rt.store.runs.get(failed.id))!;
    expect(stored.counts).toEqual({ read: 5, valid: 2, rejected: 3, filtered: 0, written: 0 });
    expect(await countRows(rt, T.featureRows)).toBe(0);
    const rejects = await rt.store.rejects.forRun(failed.id, 10);
    expect(rejects.rows.map((r) => [r.rowNumber, r.reasons.map((x) => x.rule)])).toEqual([
      [2, ['coerce']],
      [3, ['schema']],
      [5, ['between']],
    ]);
    // Aggregates describe the rows the run stores (2 of 5), against their bound.
    const results = stored.validation!.results;
    expect(results.find((r) => r.expect === 'row_count_between')).toMatchObject({
      success: false,
      observedValue: 2,
      details: { min: 5 },
    });
    // The schema result samples its rows like any other, coercion rejects included.
    expect(results.find((r) => r.expect === 'schema')!.sample).toEqual([
      expect.objectContaining({
        rowNumber: 2,
        file: 'day-1.csv',
        value: expect.objectContaining({ column: 'total' }),
      }),
      expect.objectContaining({ rowNumber: 3, file: 'day-1.csv', value: { column: 'total', value: -4 } }),
    ]);
    expect(results.find((r) => r.expect === 'between')!.sample).toEqual([
      expect.objectContaining({ rowNumber: 5, file: 'day-1.csv', value: 9000 }),
    ]);

    const text = runDetail(stored);
    expect(text).toContain('read=5 written=0 rejected=3');
    expect(text).toContain('FAIL row_count_between [fail] observed 2, min 5');
    expect(text).toContain('row 5 (day-1.csv): 9000');
    const lines = rejectLines(await rt.store.rejects.forRun(failed.id, 2));
    expect(lines[1]).toMatch(/^ {4}row 2 \(day-1\.csv\): /);
    expect(lines.at(-1)).toMatch(/…and 1 more/);
  });

  it('GraphQL serves the failed run with its counts, report and rejects', async () => {
    const failed = await run('  - { expect: row_count_between, min: 5, severity: fail }');
    server = await startServer(rt);
    const q = `query($id: ID!) { run(id: $id) { status rowsRead rowsRejected rowsWritten
      validation { success results { expect success observedValue details sample } }
      rejects(first: 10) { totalCount nodes { rowNumber file reasons { rule } } } } }`;
    const { run: r } = await server.ok(q, { id: failed.id });
    expect(r).toMatchObject({ status: 'FAILED', rowsRead: 5, rowsRejected: 2, rowsWritten: 0 });
    expect(r.rejects.totalCount).toBe(2);
    expect(r.rejects.nodes.map((n: { rowNumber: number; file: string }) => [n.rowNumber, n.file])).toEqual([
      [2, 'day-1.csv'],
      [3, 'day-1.csv'],
    ]);
    expect(
      r.validation.results.find((x: { expect: string }) => x.expect === 'row_count_between'),
    ).toMatchObject({
      observedValue: 3,
      details: { min: 5 },
    });
  });

  it('a mostly that let a check pass is shown with it', async () => {
    const ok = await run('  - { expect: between, column: total, max: 100, mostly: 0.5, severity: warn }');
    expect(ok.status).toBe('succeeded');
    expect(runDetail(ok)).toContain(
      'ok   between(total) [warn] unexpected 1/4, passed with mostly 0.5 (75% expected)',
    );
  });

  describe('policy.maxRejectedFraction', () => {
    it('fails a run that rejects more than its share, with a report entry saying so', async () => {
      const failed = await run('  []', 'policy: { maxRejectedFraction: 0.3 }');
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/max_rejected_fraction/);
      const entry = failed.validation!.results.at(-1)!;
      expect(entry).toMatchObject({
        expect: 'max_rejected_fraction',
        severity: 'fail',
        success: false,
        unexpectedCount: 2,
        elementCount: 5,
        observedValue: 0.4,
        details: { max: 0.3 },
      });
      expect(failed.validation!.success).toBe(false);
      expect(runDetail(failed)).toContain('observed 0.4, max 0.3 (2 of 5 rows rejected)');
    });

    it('lets a run within its share succeed', async () => {
      const ok = await run('  []', 'policy: { maxRejectedFraction: 0.4 }');
      expect(ok.status).toBe('succeeded');
      expect(ok.validation!.results.at(-1)).toMatchObject({ expect: 'max_rejected_fraction', success: true });
    });
  });
});
