/**
 * The run executor end to end: coercion rejects kept with everything needed to fix
 * them, each severity's effect on the run and the store, row filters, the run record
 * and its status events.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Run, RunStatus } from '../../src/domain/run';
import { T } from '../../src/store/tables';
import { testEngine } from '../support/engine';
import { countRows, createTestRuntime, type TestRuntime } from '../support/runtime';

/** A pushed contract over (date, country, cases, deaths); `extra` adds top-level keys. */
function contract(name: string, extra = ''): string {
  return `
name: ${name}
version: 1.0.0
owner: tests
entity: { name: country, key: [country] }
eventTime: date
source: { type: push }
schema:
  - { name: date, type: date, required: true }
  - { name: country, type: string, required: true }
  - { name: cases, type: integer }
  - { name: deaths, type: integer, minimum: 0 }
${extra}
features:
  - { name: cases, column: cases }
  - { name: deaths, column: deaths }
`;
}

const between = (severity: string) =>
  `expectations:\n  - { expect: between, column: cases, min: 0, max: 100, severity: ${severity} }`;

/** DEU and FRA fine; ITA's cases (500) outside 0..100. */
const RECORDS = [
  { date: '2024-01-01', country: 'DEU', cases: 10, deaths: 1 },
  { date: '2024-01-01', country: 'FRA', cases: 20, deaths: 2 },
  { date: '2024-01-01', country: 'ITA', cases: 500, deaths: 3 },
];

describe(`run executor (${testEngine()})`, () => {
  let rt: TestRuntime;
  afterEach(async () => rt?.dispose());

  const ingest = (name: string, records: unknown[]) =>
    rt.runs.ingest({ contract: name, environment: 'dev', records, actor: 'test' });

  async function values(name: string, countries: string[]) {
    const vectors = await rt.features.features({ contract: name, entities: countries, environment: 'dev' });
    return Object.fromEntries(vectors.map((v) => [String(v.entity), v.values]));
  }

  const rejectsOf = async (run: Run) => (await rt.store.rejects.forRun(run.id, 100)).rows;

  describe('coercion rejects', () => {
    it('keeps each rejected row with its raw values, row number, raw batch and every reason', async () => {
      rt = await createTestRuntime({ contracts: [contract('coerced', 'expectations: []')] });
      const records = [
        { date: '2024-01-01', country: 'DEU', cases: 1, deaths: 0 },
        { date: '2024-13-45', country: 'FRA', cases: 'many', deaths: 0 },
        { date: '2024-01-01', country: '  ', cases: '3', deaths: 'x' },
        { date: '2024-01-02', country: 'DEU', cases: ' 7 ', deaths: 'NA' },
      ];

      const run = await ingest('coerced', records);

      expect(run.status).toBe('succeeded');
      expect(run.counts).toEqual({ read: 4, valid: 2, rejected: 2, filtered: 0, written: 2 });
      const [batch] = await rt.store.rawBatches.forRun(run.id);
      const rejects = await rejectsOf(run);
      expect(rejects).toHaveLength(2);
      expect(rejects[0]).toMatchObject({
        runId: run.id,
        rawBatchId: batch!.id,
        rowNumber: 2,
        raw: records[1],
      });
      expect(rejects[0]!.reasons.map((r) => [r.rule, r.column, r.value])).toEqual([
        ['coerce', 'date', '2024-13-45'],
        ['coerce', 'cases', 'many'],
      ]);
      expect(rejects[1]).toMatchObject({ rawBatchId: batch!.id, rowNumber: 3, raw: records[2] });
      expect(rejects[1]!.reasons.map((r) => [r.rule, r.column])).toEqual([
        ['required', 'country'],
        ['coerce', 'deaths'],
      ]);
      for (const reason of rejects.flatMap((r) => r.reasons)) expect(reason.message).toBeTruthy();
      expect(await values('coerced', ['DEU', 'FRA'])).toEqual({ DEU: { cases: 7, deaths: null }, FRA: null });
    });
  });

  describe('severities', () => {
    it('fail: the run fails with its report, counts and rejects; no feature row is written', async () => {
      rt = await createTestRuntime({ contracts: [contract('blocking', between('fail'))] });
      const before = await countRows(rt, T.lineageEdges);

      const run = await ingest('blocking', [
        ...RECORDS,
        { date: 'bad', country: 'ESP', cases: 1, deaths: 0 },
      ]);

      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/validation failed: between\(cases\)/);
      const stored = (await rt.store.runs.get(run.id))!;
      expect(stored).toMatchObject({
        status: 'failed',
        error: run.error,
        committedAt: null,
        outputDigest: null,
      });
      expect(stored.finishedAt).toBe(rt.clock.now());
      expect(stored.validation!.success).toBe(false);
      const result = stored.validation!.results.find((r) => r.expect === 'between')!;
      expect(result).toMatchObject({ severity: 'fail', success: false, elementCount: 3, unexpectedCount: 1 });
      const [input] = await rt.store.rawBatches.forRun(run.id);
      // Pushed records have no file name: the sample names the raw batch only.
      expect(result.sample).toEqual([{ rowNumber: 3, rawBatchId: input!.id, value: 500 }]);
      expect(await countRows(rt, T.featureRows)).toBe(0);
      // What the run measured is kept: its counts and its rejected row, with the reason.
      expect(stored.counts).toEqual({ read: 4, valid: 3, rejected: 1, filtered: 0, written: 0 });
      const rejects = await rejectsOf(run);
      expect(rejects.map((r) => [r.rowNumber, r.reasons.map((x) => [x.rule, x.column])])).toEqual([
        [4, [['coerce', 'date']]],
      ]);
      // The run keeps its link to its input (made when it was queued), so it can be retried.
      const [batch] = await rt.store.rawBatches.forContract('blocking');
      expect((await rt.store.rawBatches.forRun(run.id)).map((b) => b.id)).toEqual([batch!.id]);
      expect(await countRows(rt, T.lineageEdges)).toBe(before);
      expect(await values('blocking', ['DEU'])).toEqual({ DEU: null });
    });

    it('warn: the run succeeds, every row is written, the report keeps the unmet expectation', async () => {
      rt = await createTestRuntime({ contracts: [contract('warned', between('warn'))] });

      const run = await ingest('warned', RECORDS);

      expect(run.status).toBe('succeeded');
      expect(run.counts).toEqual({ read: 3, valid: 3, rejected: 0, filtered: 0, written: 3 });
      const stored = (await rt.store.runs.get(run.id))!;
      expect(stored.validation!.success).toBe(true);
      expect(stored.validation!.statistics.unsuccessfulExpectations).toBe(1);
      expect(stored.validation!.results.find((r) => r.expect === 'between')).toMatchObject({
        severity: 'warn',
        success: false,
        unexpectedCount: 1,
        sample: [{ rowNumber: 3, value: 500 }],
      });
      expect(await countRows(rt, T.rejectedRows)).toBe(0);
      expect((await values('warned', ['ITA'])).ITA).toEqual({ cases: 500, deaths: 3 });
    });

    it('reject: failing rows are quarantined with the expectation as reason; the rest is written', async () => {
      rt = await createTestRuntime({ contracts: [contract('quarantined', between('reject'))] });

      const run = await ingest('quarantined', RECORDS);

      expect(run.status).toBe('succeeded');
      expect(run.counts).toEqual({ read: 3, valid: 2, rejected: 1, filtered: 0, written: 2 });
      const [reject] = await rejectsOf(run);
      expect(reject).toMatchObject({ rowNumber: 3, raw: RECORDS[2] });
      expect(reject!.reasons).toEqual([
        expect.objectContaining({ rule: 'between', column: 'cases', value: 500 }),
      ]);
      expect(await values('quarantined', ['DEU', 'FRA', 'ITA'])).toEqual({
        DEU: { cases: 10, deaths: 1 },
        FRA: { cases: 20, deaths: 2 },
        ITA: null,
      });
    });

    it('a schema constraint quarantines like a reject expectation', async () => {
      rt = await createTestRuntime({ contracts: [contract('shaped', 'expectations: []')] });
      const run = await ingest('shaped', [{ date: '2024-01-01', country: 'DEU', cases: 1, deaths: -1 }]);
      expect(run.counts).toMatchObject({ read: 1, rejected: 1, written: 0 });
      const [reject] = await rejectsOf(run);
      expect(reject!.reasons.map((r) => [r.rule, r.column])).toEqual([['schema', 'deaths']]);
    });
  });

  describe('filters', () => {
    it('drops rows a filter does not vouch for, counting them apart from rejects', async () => {
      const yaml = contract('filtered', "expectations: []\nfilters:\n  - { expr: 'cases > 0' }");
      rt = await createTestRuntime({ contracts: [yaml] });
      const run = await ingest('filtered', [
        { date: '2024-01-01', country: 'DEU', cases: 5, deaths: 0 },
        { date: '2024-01-01', country: 'FRA', cases: 0, deaths: 0 },
        { date: '2024-01-01', country: 'ITA', cases: -3, deaths: 0 },
        { date: '2024-01-01', country: 'ESP', cases: null, deaths: 0 },
        { date: '2024-01-01', country: 'POL', cases: 'x', deaths: 0 },
      ]);

      expect(run.status).toBe('succeeded');
      expect(run.counts).toEqual({ read: 5, valid: 1, rejected: 1, filtered: 3, written: 1 });
      expect((await rejectsOf(run)).map((r) => r.rowNumber)).toEqual([5]);
      const got = await values('filtered', ['DEU', 'FRA', 'ITA', 'ESP', 'POL']);
      expect(
        Object.entries(got)
          .filter(([, v]) => v !== null)
          .map(([k]) => k),
      ).toEqual(['DEU']);
      expect((await rt.store.runs.get(run.id))!.counts.filtered).toBe(3);
    });
  });

  describe('the run record', () => {
    it('publishes each status change once and records who, what and when', async () => {
      rt = await createTestRuntime({ contracts: [contract('recorded', 'expectations: []')] });
      const seen: Array<[string, RunStatus]> = [];
      rt.events.subscribe((r) => seen.push([r.id, r.status]));
      const registered = await rt.registry.resolve('recorded', '1.0.0', 'dev');

      const run = await ingest('recorded', RECORDS);

      expect(seen).toEqual([
        [run.id, 'queued'],
        [run.id, 'running'],
        [run.id, 'succeeded'],
      ]);
      expect(await rt.store.runs.get(run.id)).toMatchObject(run);
      expect(run).toMatchObject({
        contractName: 'recorded',
        contractVersion: '1.0.0',
        contractMajor: 1,
        contractHash: registered.hash,
        environment: 'dev',
        trigger: 'push',
        codeVersion: 'test',
        createdBy: 'test',
        parentRunId: null,
        committedAt: rt.clock.now(),
        invalidatedAt: null,
      });
      expect(run.outputDigest).toMatch(/^[0-9a-f]{64}$/);
      const edges = await rt.store.lineage.query({ runIds: [run.id] });
      expect(edges.map((e) => `${e.fromKind}->${e.toKind}`).sort()).toEqual(
        ['contract_version->run', 'raw_batch->run', 'run->feature_view'].sort(),
      );
    });

    it('publishes queued, running, failed for a failing run', async () => {
      rt = await createTestRuntime({ contracts: [contract('failing', between('fail'))] });
      const seen: RunStatus[] = [];
      rt.events.subscribe((r) => seen.push(r.status));
      await ingest('failing', RECORDS);
      expect(seen).toEqual(['queued', 'running', 'failed']);
    });
  });
});
