/**
 * planContract replays the last runs' kept raw batches through the active and the
 * proposed version: tightened expectations show the rows they would reject, changed
 * expressions the values they would change, window changes the features they reach;
 * the store is left exactly as it was.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../../support/engine';
import { createTestRuntime, snapshotTables, type TestRuntime } from '../../support/runtime';
import { T } from '../../../src/store/tables';
import { planContract } from '../../../src/contracts/plan/plan';
import { replayRun } from '../../../src/contracts/plan/replay';
import { CompiledContractCache } from '../../../src/pipeline/compiled-contract';
import { ContractValidationError } from '../../../src/errors';
import type { ContractPlan } from '../../../src/contracts/plan/plan.types';
import { renderPlanText } from '../../../src/contracts/plan/plan-text';

const BASE = `
name: sales
version: 1.0.0
owner: tests
entity: { name: store, key: [store] }
eventTime: day
source: { type: push }
schema:
  - { name: day, type: date, required: true }
  - { name: store, type: string, required: true }
  - { name: amount, type: number }
expectations:
  - { expect: between, column: amount, min: 0, max: 1000, severity: reject }
  - { expect: max_between, column: amount, min: 0, max: 1000, severity: warn }
features:
  - { name: amount, column: amount }
  - { name: doubled, expr: 'amount * 2' }
  - { name: sum_3, window: { op: sum, column: amount, rows: 3 } }
  - { name: sum_3_pct, expr: 'sum_3 / 100' }
  - { name: change, window: { op: diff, column: amount } }
# A rollback leaves the later runs as they were written (the replay test needs one such).
policy: { onRollback: none }
`;

const day = (d: number) => new Date(Date.UTC(2024, 0, d)).toISOString().slice(0, 10);

/** Store s1 rises by 10 a day from 10; s2 by 100 from 100; day 4 of s1 is out of bounds (rejected). */
function records(days: number[]) {
  return days.flatMap((d) => [
    { day: day(d), store: 's1', amount: d === 4 ? -5 : 10 * d },
    { day: day(d), store: 's2', amount: 100 * d },
  ]);
}

const proposed = (edit: (yaml: string) => string) => edit(BASE.replace('version: 1.0.0', 'version: 1.1.0'));

describe(`planContract (${testEngine()})`, () => {
  let rt: TestRuntime;
  const plan = (yaml: string, runs?: number): Promise<ContractPlan> =>
    planContract({ store: rt.store, rawStore: rt.rawStore }, yaml, { environment: 'dev', runs });

  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [BASE] });
    // Three runs: days 1-3, 4-6, 7-9; the windows of each later run read the earlier runs' rows.
    for (const days of [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]) {
      rt.clock.advance(60_000);
      const run = await rt.runs.ingest({
        contract: 'sales',
        environment: 'dev',
        records: records(days),
        actor: 'test',
      });
      expect(run.status).toBe('succeeded');
    }
  });
  afterEach(() => rt.dispose());

  /** Each succeeded run replayed with the active version gives exactly the rows it wrote. */
  async function expectReplaysAsWritten(): Promise<void> {
    const runs = (await rt.store.runs.list({ contract: 'sales', status: 'succeeded' }, 10)).runs;
    const active = (await rt.store.contracts.findVersion('sales', '1.0.0'))!;
    const compiled = new CompiledContractCache().get(active.hash, active.contract);
    for (const run of runs) {
      const replay = await replayRun(
        {
          store: rt.store,
          rawStore: rt.rawStore,
          run,
          batches: await rt.store.rawBatches.forRun(run.id),
          view: { environment: 'dev', contract: 'sales', major: 1 },
        },
        compiled,
      );
      const stored = await rt.store.features.forRun(run.id);
      expect(replay.failure).toBeNull();
      expect(replay.rows.size).toBe(stored.length);
      for (const row of stored)
        expect(replay.rows.get(`${row.entityKey}\u0000${row.eventTime}`)).toEqual(row.values);
    }
  }

  it('replays a run with the active version exactly as it was written', async () => {
    await expectReplaysAsWritten();
  });

  it('reads the windows history as the store knew it then: a later rollback does not change a replay', async () => {
    const second = (await rt.store.runs.list({ contract: 'sales', status: 'succeeded' }, 10)).runs[1]!;
    rt.clock.advance(60_000);
    await rt.runs.rollback(second.id, 'test');
    // The third run's sum_3 read the second run's rows, hidden now; the replay still sees them.
    await expectReplaysAsWritten();
    const p = await plan(proposed((y) => y));
    expect(p.runs).toHaveLength(2);
    expect(p.features.every((f) => f.status === 'unchanged')).toBe(true);
  });

  it('a tightened expectation shows the rows it would newly reject, by that expectation', async () => {
    const p = await plan(
      proposed((y) => y.replace('min: 0, max: 1000, severity: reject', 'min: 0, max: 500, severity: reject')),
    );
    expect(p.activeVersion).toBe('1.0.0');
    expect(p.runs).toHaveLength(3);
    // s2 amounts 600, 700, 800, 900 go over 500.
    expect(p.newlyRejected).toEqual([
      expect.objectContaining({ rule: 'between', column: 'amount', rows: 4 }),
    ]);
    expect(p.noLongerRejected).toEqual([]);
    expect(p.rowsDropped).toBe(4);
    expect(p.expectations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          expectation: 'between(amount)',
          active: { success: true, unexpectedCount: 0 },
          proposed: expect.objectContaining({ unexpectedCount: 3 }),
        }),
      ]),
    );
    // The rows both versions write keep their values: the rejected days are each store's last.
    expect(p.features.find((f) => f.feature === 'sum_3')!).toMatchObject({
      status: 'unchanged',
      rowsCompared: 13,
    });
    expect(p.features.find((f) => f.feature === 'doubled')!.status).toBe('unchanged');
  });

  it('a changed expression shows the values it changes and the largest difference', async () => {
    const p = await plan(
      proposed((y) =>
        y.replace("expr: 'amount * 2'", "expr: 'if amount > 800 then amount / 0 else amount * 3'"),
      ),
    );
    const doubled = p.features.find((f) => f.feature === 'doubled')!;
    // 17 rows written (day 4 of s1 is rejected); every one changes, 900 to null (x / 0).
    expect(doubled).toMatchObject({ status: 'changed', rowsCompared: 17, rowsChanged: 17, becomeNull: 1 });
    // 800 → 2400 vs 1600: the largest numeric change.
    expect(doubled.maxAbsDiff).toBe(800);
    expect(p.features.find((f) => f.feature === 'sum_3')!).toMatchObject({
      status: 'unchanged',
      rowsChanged: 0,
    });
    expect(p.affected).toEqual([expect.objectContaining({ feature: 'doubled' })]);
    expect(p.newlyRejected).toEqual([]);
  });

  it('a window length change shows the window and the features that read it as affected', async () => {
    const p = await plan(proposed((y) => y.replace('column: amount, rows: 3', 'column: amount, rows: 5')));
    expect(p.affected.map((a) => a.feature)).toEqual(['sum_3', 'sum_3_pct']);
    expect(p.affected[1]!.reason).toMatch(/reads sum_3/);
    const sum = p.features.find((f) => f.feature === 'sum_3')!;
    // Rows 4 and 5 of each store (and on) see up to 5 rows: the earlier runs' rows from the store.
    expect(sum.status).toBe('changed');
    // s2 on day 9: 500..900 (5 rows) vs 700..900 (3 rows): 1100 more.
    expect(sum.maxAbsDiff).toBe(1100);
    expect(p.features.find((f) => f.feature === 'sum_3_pct')!.maxAbsDiff).toBeCloseTo(11, 9);
    expect(p.features.find((f) => f.feature === 'change')!.status).toBe('unchanged');
    expect(p.timing.proposedMs).toBeGreaterThan(0);
  });

  it('a proposal that would fail a run says which expectation fails it, and writes none of its rows', async () => {
    const p = await plan(
      proposed((y) =>
        y.replace(
          'expectations:\n',
          'expectations:\n  - { expect: row_count_between, min: 1, max: 4, severity: fail }\n',
        ),
      ),
    );
    expect(p.runs.map((r) => r.proposed.failure)).toEqual(
      Array(3).fill('the run would fail: row_count_between'),
    );
    expect(p.runs.map((r) => r.proposed.rows)).toEqual([0, 0, 0]);
    expect(p.runs.map((r) => r.active.failure)).toEqual([null, null, null]);
    expect(p.rowsDropped).toBe(17);
    expect(p.expectations.filter((e) => e.expectation === 'row_count_between')).toHaveLength(3);
    expect(renderPlanText(p)).toContain('    proposed: the run would fail: row_count_between');
  });

  it('replays only the last N runs', async () => {
    const p = await plan(
      proposed((y) => y),
      2,
    );
    expect(p.runs).toHaveLength(2);
    expect(p.runs[0]!.committedAt).toBeLessThan(p.runs[1]!.committedAt);
    expect(p.features.every((f) => f.status === 'unchanged')).toBe(true);
  });

  it('invalid YAML gives the lint error with its line', async () => {
    const bad = proposed((y) =>
      y.replace('  - { name: amount, column: amount }', '  - { name: amount, column: amount'),
    );
    const err = await plan(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractValidationError);
    expect((err as ContractValidationError).issues[0]!.line).toBeGreaterThan(0);
    expect((err as Error).message).toMatch(/proposed\.yaml:\d+/);
  });

  it('refuses more than 50 runs', async () => {
    await expect(
      plan(
        proposed((y) => y),
        51,
      ),
    ).rejects.toThrow(/runs must be a whole number from 1 to 50/);
  });

  it('writes nothing: every table is exactly as it was', async () => {
    const tables = Object.values(T);
    const before = await snapshotTables(rt, tables);
    await plan(
      proposed((y) => y.replace('min: 0, max: 1000, severity: reject', 'min: 0, max: 500, severity: reject')),
    );
    await plan(proposed((y) => y.replace('column: amount, rows: 3', 'column: amount, rows: 5')));
    expect(await snapshotTables(rt, tables)).toEqual(before);
  });
});
