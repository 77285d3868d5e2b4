/**
 * Each source end to end, through the runtime: CSV (one file, a glob, header mapping,
 * delimiter and quoting, a line with the wrong field count), JSON Lines (with an
 * invalid line) and pushed records. Values are read back through the feature service.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, InputError } from '../../src/errors';
import type { Run } from '../../src/domain/run';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { casesContract } from '../fixtures/contracts/cases';

function contract(name: string, source: string, ...schema: string[]): string {
  return casesContract({ name, source, schema });
}

describe(`sources end to end (${testEngine()})`, () => {
  let rt: TestRuntime;
  afterEach(async () => rt?.dispose());

  /** Latest `cases` per country, as the feature service serves them now. */
  async function cases(name: string, countries: string[]): Promise<Record<string, unknown>> {
    const vectors = await rt.features.features({ contract: name, entities: countries, environment: 'dev' });
    return Object.fromEntries(vectors.map((v) => [String(v.entity), v.values?.cases ?? null]));
  }

  async function rejectsOf(run: Run) {
    return (await rt.store.rejects.forRun(run.id, 100)).rows;
  }

  describe('CSV', () => {
    it('reads one file', async () => {
      rt = await createTestRuntime({ contracts: [contract('one_csv', '{ type: csv, path: one/data.csv }')] });
      await rt.land(
        'one/data.csv',
        'date,country,cases\n2024-01-01,DEU,10\n2024-01-02,DEU,12\n2024-01-01,FRA,7\n',
      );
      // Not named by the path: ignored.
      await rt.land('one/other.csv', 'date,country,cases\n2024-01-01,ITA,99\n');

      const run = await rt.runs.trigger({ contract: 'one_csv', environment: 'dev', actor: 'test' });

      expect(run.error).toBeNull();
      expect(run.status).toBe('succeeded');
      expect(run.counts).toEqual({ read: 3, valid: 3, rejected: 0, filtered: 0, written: 3 });
      expect(await cases('one_csv', ['DEU', 'FRA', 'ITA'])).toEqual({ DEU: 12, FRA: 7, ITA: null });
      const batches = await rt.store.rawBatches.forRun(run.id);
      expect(batches).toHaveLength(1);
      expect(batches[0]).toMatchObject({ sourceType: 'csv', rowCount: 3 });
      expect(batches[0]!.sourceUri).toMatch(/one[/\\]data\.csv$/);
    });

    it('reads every file a glob matches, each as its own raw batch', async () => {
      rt = await createTestRuntime({
        contracts: [contract('glob_csv', '{ type: csv, path: "many/*.csv" }')],
      });
      await rt.land('many/a.csv', 'date,country,cases\n2024-01-01,DEU,1\n2024-01-02,DEU,2\n');
      await rt.land('many/b.csv', 'date,country,cases\n2024-01-01,FRA,3\n');
      await rt.land('many/c.txt', 'date,country,cases\n2024-01-01,ITA,4\n');
      await rt.land('many/deeper/d.csv', 'date,country,cases\n2024-01-01,ESP,5\n');

      const run = await rt.runs.trigger({ contract: 'glob_csv', environment: 'dev', actor: 'test' });

      expect(run.status).toBe('succeeded');
      expect(run.counts.read).toBe(3);
      const batches = await rt.store.rawBatches.forRun(run.id);
      expect(batches.map((b) => b.sourceUri!.split(/[/\\]/).pop())).toEqual(['a.csv', 'b.csv']);
      expect(batches.map((b) => b.rowCount)).toEqual([2, 1]);
      expect(await cases('glob_csv', ['DEU', 'FRA', 'ITA', 'ESP'])).toEqual({
        DEU: 2,
        FRA: 3,
        ITA: null,
        ESP: null,
      });
    });

    it('maps headers through `from`, with a `;` delimiter and quoted fields', async () => {
      const yaml = contract(
        'mapped_csv',
        `{ type: csv, path: mapped.csv, delimiter: ";" }`,
        '{ name: label, type: string, from: "Display Name" }',
      )
        .replace(
          '{ name: country, type: string, required: true }',
          '{ name: country, type: string, required: true, from: "Country Code" }',
        )
        .replace(
          '{ name: cases, column: cases }',
          '{ name: cases, column: cases }\n  - { name: label, column: label }',
        );
      rt = await createTestRuntime({ contracts: [yaml] });
      await rt.land(
        'mapped.csv',
        [
          'date;Country Code;cases;Display Name',
          '2024-01-01;DEU;10;"Germany; the ""Federal"" Republic"',
          '2024-01-01;FRA;20;"multi',
          'line"',
          '2024-01-01;"ITA";30;Italy',
          '',
        ].join('\n'),
      );

      const run = await rt.runs.trigger({ contract: 'mapped_csv', environment: 'dev', actor: 'test' });

      expect(run.error).toBeNull();
      expect(run.counts).toMatchObject({ read: 3, rejected: 0, written: 3 });
      const vectors = await rt.features.features({
        contract: 'mapped_csv',
        entities: ['DEU', 'FRA', 'ITA'],
        environment: 'dev',
      });
      expect(vectors.map((v) => v.values)).toEqual([
        { cases: 10, label: 'Germany; the "Federal" Republic' },
        { cases: 20, label: 'multi\nline' },
        { cases: 30, label: 'Italy' },
      ]);
    });

    it('rejects a line with the wrong number of fields as a parse error with its row number', async () => {
      rt = await createTestRuntime({
        contracts: [contract('ragged_csv', '{ type: csv, path: ragged.csv }')],
      });
      await rt.land(
        'ragged.csv',
        'date,country,cases\n2024-01-01,DEU,1\n2024-01-01,FRA\n2024-01-01,ITA,3,surplus\n2024-01-01,ESP,4\n',
      );

      const run = await rt.runs.trigger({ contract: 'ragged_csv', environment: 'dev', actor: 'test' });

      expect(run.status).toBe('succeeded');
      expect(run.counts).toEqual({ read: 4, valid: 2, rejected: 2, filtered: 0, written: 2 });
      const [batch] = await rt.store.rawBatches.forRun(run.id);
      const rejects = await rejectsOf(run);
      expect(
        rejects.map((r) => ({ row: r.rowNumber, batch: r.rawBatchId, rules: r.reasons.map((x) => x.rule) })),
      ).toEqual([
        { row: 2, batch: batch!.id, rules: ['parse'] },
        { row: 3, batch: batch!.id, rules: ['parse'] },
      ]);
      expect(rejects[0]!.reasons[0]!.message).toMatch(/expected 3 fields, found 2/);
      expect(rejects[0]!.raw).toEqual({ date: '2024-01-01', country: 'FRA' });
      expect(rejects[1]!.raw).toMatchObject({ country: 'ITA', _extra: ['surplus'] });
      expect(await cases('ragged_csv', ['DEU', 'FRA', 'ITA', 'ESP'])).toEqual({
        DEU: 1,
        FRA: null,
        ITA: null,
        ESP: 4,
      });
    });
    it('matches `**` at any depth and skips hidden files', async () => {
      rt = await createTestRuntime({
        contracts: [contract('deep_csv', '{ type: csv, path: "deep/**/*.csv" }')],
      });
      await rt.land('deep/a.csv', 'date,country,cases\n2024-01-01,DEU,1\n');
      await rt.land('deep/x/y/b.csv', 'date,country,cases\n2024-01-01,FRA,2\n');
      await rt.land('deep/.partial.csv', 'date,country,cases\n2024-01-01,ITA,3\n');

      const run = await rt.runs.trigger({ contract: 'deep_csv', environment: 'dev', actor: 'test' });

      expect(run.counts.read).toBe(2);
      expect(await cases('deep_csv', ['DEU', 'FRA', 'ITA'])).toEqual({ DEU: 1, FRA: 2, ITA: null });
    });

    it('reads a file without a header line, in schema order (`from` names the field)', async () => {
      rt = await createTestRuntime({
        contracts: [contract('bare_csv', '{ type: csv, path: bare.csv, header: false }')],
      });
      await rt.land('bare.csv', '2024-01-01,DEU,1\n2024-01-01,FRA,2\n');

      const run = await rt.runs.trigger({ contract: 'bare_csv', environment: 'dev', actor: 'test' });

      expect(run.counts).toMatchObject({ read: 2, rejected: 0, written: 2 });
      expect(await cases('bare_csv', ['DEU', 'FRA'])).toEqual({ DEU: 1, FRA: 2 });
    });

    it('fails a malformed file (an unclosed quote) as bad input, which no retry can fix', async () => {
      rt = await createTestRuntime({
        contracts: [contract('broken_csv', '{ type: csv, path: broken.csv }')],
        retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
      });
      await rt.land(
        'broken.csv',
        'date,country,cases\n2024-01-01,DEU,1\n2024-01-01,"FRA,2\n2024-01-01,ITA,3\n',
      );

      const run = await rt.runs.trigger({ contract: 'broken_csv', environment: 'dev', actor: 'test' });

      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/not valid CSV: Quote Not Closed/);
      expect(run.errorKind).toBe('input');
      expect((await rt.store.runs.list({ contract: 'broken_csv', trigger: 'retry' }, 10)).totalCount).toBe(0);
      expect(await cases('broken_csv', ['DEU'])).toEqual({ DEU: null });
    });

    it('reads a BOM and CRLF line endings', async () => {
      rt = await createTestRuntime({ contracts: [contract('crlf_csv', '{ type: csv, path: crlf.csv }')] });
      await rt.land('crlf.csv', '\uFEFFdate,country,cases\r\n2024-01-01,DEU,1\r\n2024-01-01,FRA,2\r\n');

      const run = await rt.runs.trigger({ contract: 'crlf_csv', environment: 'dev', actor: 'test' });

      expect(run.counts).toMatchObject({ read: 2, rejected: 0, written: 2 });
      expect(await cases('crlf_csv', ['DEU', 'FRA'])).toEqual({ DEU: 1, FRA: 2 });
    });

    it('takes the columns present from the header, even when the first line is ragged', async () => {
      const yaml = contract('columns_csv', '{ type: csv, path: columns.csv }').replace(
        'expectations: []',
        'expectations:\n  - { expect: columns_match_set, values: [date, country, cases], severity: fail }',
      );
      rt = await createTestRuntime({ contracts: [yaml] });
      await rt.land('columns.csv', 'date,country,cases\n2024-01-01\n2024-01-01,DEU,1\n');

      const run = await rt.runs.trigger({ contract: 'columns_csv', environment: 'dev', actor: 'test' });

      expect(run.error).toBeNull();
      expect(run.counts).toMatchObject({ read: 2, rejected: 1, written: 1 });
      const result = run.validation!.results.find((r) => r.expect === 'columns_match_set')!;
      expect(result).toMatchObject({ success: true, details: { missing: [], unexpected: [] } });
    });
  });

  describe('JSON Lines', () => {
    it('reads objects per line and rejects an invalid line as a parse error', async () => {
      rt = await createTestRuntime({
        contracts: [contract('lines', '{ type: jsonl, path: "lines/*.jsonl" }')],
      });
      await rt.land(
        'lines/a.jsonl',
        [
          '{"date":"2024-01-01","country":"DEU","cases":5}',
          '',
          '{"date":"2024-01-01","country":"FRA","cases": oops}',
          '[1,2,3]',
          '{"date":"2024-01-02","country":"DEU","cases":"6"}',
          '',
        ].join('\n'),
      );

      const run = await rt.runs.trigger({ contract: 'lines', environment: 'dev', actor: 'test' });

      expect(run.status).toBe('succeeded');
      expect(run.counts).toEqual({ read: 4, valid: 2, rejected: 2, filtered: 0, written: 2 });
      const rejects = await rejectsOf(run);
      expect(rejects.map((r) => [r.rowNumber, r.reasons.map((x) => x.rule)])).toEqual([
        [2, ['parse']],
        [3, ['parse']],
      ]);
      expect(rejects[0]!.reasons[0]!.message).toMatch(/invalid JSON/);
      expect(rejects[0]!.raw).toEqual({ _line: '{"date":"2024-01-01","country":"FRA","cases": oops}' });
      expect(await cases('lines', ['DEU', 'FRA'])).toEqual({ DEU: 6, FRA: null });
    });

    it('takes the columns present from the first readable line', async () => {
      const yaml = contract('lines_columns', '{ type: jsonl, path: cols.jsonl }').replace(
        'expectations: []',
        'expectations:\n  - { expect: columns_match_set, values: [date, country, cases], severity: fail }',
      );
      rt = await createTestRuntime({ contracts: [yaml] });
      await rt.land('cols.jsonl', 'not json\n{"date":"2024-01-01","country":"DEU","cases":5}\n');

      const run = await rt.runs.trigger({ contract: 'lines_columns', environment: 'dev', actor: 'test' });

      expect(run.error).toBeNull();
      expect(run.counts).toMatchObject({ read: 2, rejected: 1, written: 1 });
    });
  });

  describe('pushed records', () => {
    const push = contract('pushed', '{ type: push }');
    const records = [
      { date: '2024-01-01', country: 'DEU', cases: 1 },
      { date: '2024-01-02', country: 'DEU', cases: 4 },
      { date: '2024-01-01', country: 'FRA', cases: 'not a number' },
    ];

    it('runs pushed records through the pipeline as one raw batch', async () => {
      rt = await createTestRuntime({ contracts: [push] });

      const run = await rt.runs.ingest({ contract: 'pushed', environment: 'dev', records, actor: 'test' });

      expect(run).toMatchObject({ status: 'succeeded', trigger: 'push', codeVersion: 'test' });
      expect(run.counts).toEqual({ read: 3, valid: 2, rejected: 1, filtered: 0, written: 2 });
      const batches = await rt.store.rawBatches.forRun(run.id);
      expect(batches).toHaveLength(1);
      expect(batches[0]).toMatchObject({ sourceType: 'push', rowCount: 3 });
      const [reject] = await rejectsOf(run);
      expect(reject).toMatchObject({ rowNumber: 3, rawBatchId: batches[0]!.id, raw: records[2] });
      expect(reject!.reasons.map((r) => [r.rule, r.column])).toEqual([['coerce', 'cases']]);
      expect(await cases('pushed', ['DEU', 'FRA'])).toEqual({ DEU: 4, FRA: null });
    });

    it('refuses the same records pushed twice, unless forced', async () => {
      rt = await createTestRuntime({ contracts: [push] });
      const first = await rt.runs.ingest({ contract: 'pushed', environment: 'dev', records, actor: 'test' });

      await expect(
        rt.runs.ingest({ contract: 'pushed', environment: 'dev', records, actor: 'test' }),
      ).rejects.toThrow(ConflictError);
      const forced = await rt.runs.ingest({
        contract: 'pushed',
        environment: 'dev',
        records,
        actor: 'test',
        force: true,
      });

      expect(forced.status).toBe('succeeded');
      const [a] = await rt.store.rawBatches.forRun(first.id);
      const [b] = await rt.store.rawBatches.forRun(forced.id);
      expect(b!.id).toBe(a!.id);
    });

    it('refuses pushed records for a file contract', async () => {
      rt = await createTestRuntime({ contracts: [contract('filed', '{ type: csv, path: x.csv }')] });
      await expect(
        rt.runs.ingest({ contract: 'filed', environment: 'dev', records, actor: 'test' }),
      ).rejects.toThrow(InputError);
    });
  });
});
