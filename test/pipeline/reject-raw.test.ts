/**
 * Rows rejected by validation keep their source record exactly as read, although the
 * read stage lets accepted rows' records go: the run reads them back from the kept raw
 * batches. Several batches (a glob), CSV and JSON Lines, rejects by a rule and by
 * duplicates, next to coercion rejects that never left the read stage.
 */
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/run';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { casesContract } from '../fixtures/contracts/cases';

const contract = (name: string, source: string) =>
  casesContract({
    name,
    source,
    expectations: [
      '{ expect: between, column: cases, min: 0, max: 1000, severity: reject }',
      '{ expect: compound_unique, columns: [country, date], severity: reject }',
    ],
  });

describe(`validation rejects keep their records (${testEngine()})`, () => {
  let rt: TestRuntime;
  afterEach(async () => rt?.dispose());

  const rejectsOf = async (run: Run) =>
    (await rt.store.rejects.forRun(run.id, 100)).rows.map((r) => ({
      batch: r.rawBatchId,
      row: r.rowNumber,
      raw: r.raw,
      rules: r.reasons.map((x) => x.rule),
    }));

  it('CSV files of a glob: out-of-range and duplicate rows stored with their fields as read', async () => {
    rt = await createTestRuntime({
      contracts: [contract('glob_rejects', '{ type: csv, path: "many/*.csv" }')],
    });
    await rt.land(
      'many/a.csv',
      'date,country,cases\n2024-01-01,DEU,10\n2024-01-02,"D,EU",5000\n2024-01-03,DEU,x\n',
    );
    await rt.land(
      'many/b.csv',
      'date,country,cases\n2024-01-01,FRA,7\n2024-01-01, FRA ,8\n2024-01-02,FRA,-1\n',
    );

    const run = await rt.runs.trigger({ contract: 'glob_rejects', environment: 'dev', actor: 'test' });

    expect(run.status).toBe('succeeded');
    expect(run.counts).toEqual({ read: 6, valid: 2, rejected: 4, filtered: 0, written: 2 });
    const batches = await rt.store.rawBatches.forRun(run.id);
    const [a, b] = [...batches].sort((x, y) => x.sourceUri!.localeCompare(y.sourceUri!)).map((x) => x.id);
    const rejects = await rejectsOf(run);
    expect(rejects).toEqual(
      expect.arrayContaining([
        { batch: a, row: 2, raw: { date: '2024-01-02', country: 'D,EU', cases: '5000' }, rules: ['between'] },
        { batch: a, row: 3, raw: { date: '2024-01-03', country: 'DEU', cases: 'x' }, rules: ['coerce'] },
        {
          batch: b,
          row: 2,
          raw: { date: '2024-01-01', country: ' FRA ', cases: '8' },
          rules: ['compound_unique'],
        },
        { batch: b, row: 3, raw: { date: '2024-01-02', country: 'FRA', cases: '-1' }, rules: ['between'] },
      ]),
    );
    expect(rejects).toHaveLength(4);
  });

  it('a raw batch that no longer holds a rejected row when it is read back fails the run; nothing is written', async () => {
    rt = await createTestRuntime({
      contracts: [contract('lost_rows', '{ type: csv, path: "lost/*.csv" }')],
    });
    await rt.land('lost/a.csv', 'date,country,cases\n2024-01-01,DEU,10\n2024-01-02,DEU,5000\n');
    // The second read of the batch (validation rejects getting their records back, while
    // the feature rows are being inserted) finds only the header.
    const open = rt.rawStore.open.bind(rt.rawStore);
    const opened = new Map<string, number>();
    rt.rawStore.open = (path: string) => {
      opened.set(path, (opened.get(path) ?? 0) + 1);
      return opened.get(path)! > 1 ? Readable.from([Buffer.from('date,country,cases\n')]) : open(path);
    };

    const run = await rt.runs.trigger({ contract: 'lost_rows', environment: 'dev', actor: 'test' });

    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/no longer holds 1 of the rows/);
    expect(await rt.store.features.countForRun(run.id)).toBe(0);
    expect((await rt.store.rejects.forRun(run.id, 100)).rows).toEqual([]);
  });

  it('pushed records: the rejected record is the object that was pushed', async () => {
    rt = await createTestRuntime({ contracts: [contract('push_rejects', '{ type: push }')] });
    const records = [
      { date: '2024-01-01', country: 'DEU', cases: 1, note: 'kept in raw' },
      { date: '2024-01-02', country: 'DEU', cases: 1e6, nested: { a: [1, 2] } },
    ];
    const run = await rt.runs.ingest({
      contract: 'push_rejects',
      environment: 'dev',
      records,
      actor: 'test',
    });
    expect(run.counts).toMatchObject({ read: 2, rejected: 1, written: 1 });
    expect(await rejectsOf(run)).toEqual([
      { batch: expect.any(String), row: 2, raw: records[1], rules: ['between'] },
    ]);
  });
});
