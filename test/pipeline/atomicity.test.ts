/**
 * The commit is one transaction: an error injected between its writes (after feature
 * rows, rejects, lineage or the run update were written inside it) leaves every data
 * table exactly as it was; only the run record (its row, its raw batch links, the
 * audit trail) says what happened: failed, with its error, its counts and its rejects
 * (written after the rollback, in their own transaction). Readers keep seeing what
 * they saw before.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../src/domain/run';
import type { WriteHook } from '../../src/pipeline/write-stage';
import { T } from '../../src/store/tables';
import { testEngine } from '../support/engine';
import { countRows, createTestRuntime, snapshotTables, type TestRuntime } from '../support/runtime';
import { casesContract } from '../fixtures/contracts/cases';

const CONTRACT = casesContract({
  name: 'atomic',
  path: 'atomic/*.csv',
  expectations: ['{ expect: between, column: cases, min: 0, max: 1000, severity: reject }'],
  features: ['{ name: delta, window: { op: diff, column: cases } }'],
});

/** Two good rows per country, one coercion reject and one expectation reject. */
const DATA = [
  'date,country,cases',
  '2024-01-01,DEU,10',
  '2024-01-02,DEU,15',
  '2024-01-01,FRA,20',
  '2024-01-02,FRA,oops',
  '2024-01-03,FRA,5000',
  '',
].join('\n');

type Stage = Parameters<WriteHook>[0];

/** The snapshot without the `count` rejects a failed run keeps (they must be there). */
function withoutRejectsOf(snapshot: Record<string, unknown[]>, runId: string, count: number) {
  const rows = snapshot[T.rejectedRows]!;
  const own = rows.filter((r) => String(r).includes(`"run_id":"${runId}"`));
  expect(own).toHaveLength(count);
  return { ...snapshot, [T.rejectedRows]: rows.filter((r) => !own.includes(r)) };
}

describe(`commit atomicity (${testEngine()})`, () => {
  let rt: TestRuntime;
  let failAt: Stage | null;
  let reached: Stage[];

  beforeEach(async () => {
    failAt = null;
    reached = [];
    rt = await createTestRuntime({
      contracts: [CONTRACT],
      writeHook: (stage) => {
        reached.push(stage);
        if (stage === failAt) throw new Error(`injected failure after ${stage}`);
      },
    });
    await rt.land('atomic/a.csv', DATA);
  });
  afterEach(() => rt.dispose());

  const trigger = (force = false) =>
    rt.runs.trigger({ contract: 'atomic', environment: 'dev', actor: 'test', force });
  const served = () =>
    rt.features.features({ contract: 'atomic', entities: ['DEU', 'FRA'], environment: 'dev' });

  it('a first run failing after its feature rows and rejects were written leaves no feature row behind, and keeps what it measured', async () => {
    failAt = 'rejects';

    const run = await trigger();

    expect(reached).toEqual(['features', 'rejects']);
    expect(run.status).toBe('failed');
    expect(run.error).toBe('injected failure after rejects');
    for (const table of [T.featureRows, T.lineageEdges]) {
      expect({ table, rows: await countRows(rt, table) }).toEqual({ table, rows: 0 });
    }
    // The rejects were written once, by the failure's own transaction.
    expect(await rt.store.runs.get(run.id)).toMatchObject({
      counts: { read: 5, valid: 3, rejected: 2, filtered: 0, written: 0 },
    });
    const rejects = await rt.store.rejects.forRun(run.id, 10);
    expect(rejects.rows.map((r) => [r.rowNumber, r.raw.cases])).toEqual([
      [4, 'oops'],
      [5, '5000'],
    ]);
    // The input is kept before the run starts and the failed run keeps its link to it,
    // so it can be retried; its row count is only recorded by a commit.
    const [batch] = await rt.store.rawBatches.forContract('atomic');
    expect(batch!.rowCount).toBeNull();
    expect((await rt.store.rawBatches.forRun(run.id)).map((b) => b.id)).toEqual([batch!.id]);
    expect((await served()).map((v) => v.values)).toEqual([null, null]);
  });

  it.each<Stage>(['features', 'rejects', 'lineage', 'run'])(
    'an error after the %s write leaves the store exactly as before',
    async (stage) => {
      const good = await trigger();
      expect(good.status).toBe('succeeded');
      expect(good.counts).toMatchObject({ written: 3, rejected: 2 });
      const before = await snapshotTables(rt);
      const servedBefore = await served();
      const runsBefore = await countRows(rt, T.runs);
      const goodBefore = await rt.store.runs.get(good.id);
      failAt = stage;
      reached = [];
      const statuses: RunStatus[] = [];
      rt.events.subscribe((r) => statuses.push(r.status));

      rt.clock.advance(60_000);
      const run = await trigger(true);

      expect(reached.at(-1)).toBe(stage);
      expect(run.status).toBe('failed');
      expect(statuses).toEqual(['queued', 'running', 'failed']);
      // The failed run keeps its rejects (and nothing else of it is in a data table).
      expect(withoutRejectsOf(await snapshotTables(rt), run.id, 2)).toEqual(before);
      expect(await served()).toEqual(servedBefore);
      expect(await countRows(rt, T.runs)).toBe(runsBefore + 1);
      expect(await rt.store.runs.get(run.id)).toMatchObject({
        status: 'failed',
        error: `injected failure after ${stage}`,
        committedAt: null,
        outputDigest: null,
        finishedAt: rt.clock.now(),
      });
      expect(await rt.store.runs.get(good.id)).toEqual(goodBefore);
      expect(await rt.store.rawBatches.forRun(run.id)).toEqual(await rt.store.rawBatches.forRun(good.id));
    },
  );

  it('a run that failed in the commit can be reprocessed from its kept input once the fault is gone', async () => {
    failAt = 'lineage';
    const failed = await trigger();
    expect(failed.status).toBe('failed');
    failAt = null;

    rt.clock.advance(60_000);
    const retry = await rt.runs.reprocess(failed.id, { actor: 'test' });

    expect(retry).toMatchObject({
      status: 'succeeded',
      parentRunId: failed.id,
      counts: { written: 3, rejected: 2 },
    });
    expect((await rt.store.runs.get(failed.id))!.status).toBe('failed');
    expect((await served()).map((v) => v.values)).toEqual([
      { cases: 15, delta: 5 },
      { cases: 20, delta: null },
    ]);
  });

  it('a reprocess failing after it superseded its parent leaves the parent visible and succeeded', async () => {
    const parent = await trigger();
    const before = await snapshotTables(rt);
    const servedBefore = await served();
    failAt = 'run';

    rt.clock.advance(60_000);
    const child = await rt.runs.reprocess(parent.id, { actor: 'test' });

    expect(child.status).toBe('failed');
    expect(child.parentRunId).toBe(parent.id);
    expect(await rt.store.runs.get(parent.id)).toMatchObject({ status: 'succeeded', invalidatedAt: null });
    expect(withoutRejectsOf(await snapshotTables(rt), child.id, 2)).toEqual(before);
    const after = await served();
    expect(after).toEqual(servedBefore);
    expect(after.map((v) => v.runId)).toEqual([parent.id, parent.id]);
  });
});
