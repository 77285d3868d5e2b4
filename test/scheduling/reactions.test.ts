/**
 * Rollback reactions: rolling back a run of a contract with window features
 * reprocesses the later runs of its view (their windows read the rolled-back rows),
 * in commit order, each superseding the run it replaces. Reaction runs never start
 * reactions of their own; contracts without windows, or with `onRollback: none`,
 * start nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/errors';
import type { Run } from '../../src/domain/run';
import { testEngine } from '../support/engine';
import {
  createManagedRuntime,
  day,
  endOfDay,
  enqueueRecords,
  listRuns,
  valuesOf,
  waitForRun,
  waitForRuns,
  type ManagedRuntime,
} from '../support/managed';

const contract = (name: string, features: string, policy = '') => `
name: ${name}
version: 1.0.0
owner: tests
entity: { name: sensor, key: [sensor] }
eventTime: day
source: { type: push }
schema:
  - { name: day, type: date, required: true }
  - { name: sensor, type: string, required: true }
  - { name: reading, type: integer }
expectations: []
features:
  - { name: reading, column: reading }
${features}
${policy}
`;

const WINDOWS = `  - { name: change, window: { op: diff, column: reading } }
  - { name: sum_3, window: { op: sum, column: reading, rows: 3 } }`;

const SENSOR = contract('sensor', WINDOWS);
const PLAIN = contract('plain', "  - { name: doubled, expr: 'reading * 2' }");
const QUIET = contract('quiet', WINDOWS, 'policy: { onRollback: none }');

/** Readings of S per day: day d of the series is ingested by run d. */
const READINGS = [10, 14, 20, 27];

describe(`rollback reactions (${testEngine()})`, () => {
  let rt: ManagedRuntime;
  let failNextCommit = false;
  beforeEach(async () => {
    failNextCommit = false;
    rt = await createManagedRuntime({
      contracts: [SENSOR, PLAIN, QUIET],
      writeHook: (stage) => {
        if (stage !== 'features' || !failNextCommit) return;
        failNextCommit = false;
        throw new Error('database busy (simulated)');
      },
    });
  });
  afterEach(() => rt.dispose());

  async function series(name: string, days = READINGS.length): Promise<Run[]> {
    const runs = [];
    for (let d = 1; d <= days; d++) {
      rt.clock.advance(60_000);
      const records = [{ day: day(d), sensor: 'S', reading: READINGS[d - 1] }];
      runs.push(await rt.runs.ingest({ contract: name, environment: 'dev', records, actor: 'test' }));
    }
    expect(runs.map((r) => r.status)).toEqual(runs.map(() => 'succeeded'));
    return runs;
  }

  async function rollback(run: Run): Promise<void> {
    rt.clock.advance(60_000);
    await rt.runs.rollback(run.id, 'carol');
  }

  /** The reprocess runs the reaction to rolling back `cause` queued, oldest first, once they finished. */
  async function reactionTo(cause: Run, count: number): Promise<Run[]> {
    const mine = (r: Run) => r.createdBy === `system:reaction (rollback of ${cause.id})`;
    const runs = await waitForRuns(rt, { trigger: 'reprocess', contract: cause.contractName }, count, mine);
    const done = [];
    for (const r of runs) done.push(await waitForRun(rt, r.id));
    return done;
  }

  it('reprocesses the later runs without the rolled-back rows, each superseding the run it replaces', async () => {
    const [, b, c, d] = await series('sensor');
    expect((await valuesOf(rt, 'sensor', 'S')).values).toEqual({ reading: 27, change: 7, sum_3: 61 });

    await rollback(b!);
    const [c2, d2] = await reactionTo(b!, 2);

    expect([c2, d2]).toMatchObject([
      { status: 'succeeded', trigger: 'reprocess', parentRunId: c!.id },
      { status: 'succeeded', trigger: 'reprocess', parentRunId: d!.id },
    ]);
    expect(c2!.createdBy).toBe(`system:reaction (rollback of ${b!.id})`);
    expect(d2!.startedAt).toBeGreaterThanOrEqual(c2!.finishedAt!);
    expect(await rt.store.runs.get(c!.id)).toMatchObject({
      status: 'superseded',
      invalidatedAt: c2!.committedAt,
    });
    expect(await rt.store.runs.get(d!.id)).toMatchObject({
      status: 'superseded',
      invalidatedAt: d2!.committedAt,
    });
    expect(await rt.store.rawBatches.forRun(c2!.id)).toEqual(await rt.store.rawBatches.forRun(c!.id));
    // Day 2 is gone: day 3 now follows day 1, and the windows of day 4 skip day 2.
    expect(await valuesOf(rt, 'sensor', 'S', { asOf: endOfDay(3) })).toEqual({
      values: { reading: 20, change: 10, sum_3: 30 },
      runId: c2!.id,
      contractVersion: '1.0.0',
    });
    expect((await valuesOf(rt, 'sensor', 'S')).values).toEqual({ reading: 27, change: 7, sum_3: 57 });
  });

  it('counts a run committed in the same millisecond as the rolled-back one as later', async () => {
    const runs = [];
    for (let d = 1; d <= 3; d++) {
      // Day 1 a minute earlier; days 2 and 3 within one millisecond of the clock.
      if (d <= 2) rt.clock.advance(60_000);
      const records = [{ day: day(d), sensor: 'S', reading: READINGS[d - 1] }];
      runs.push(await rt.runs.ingest({ contract: 'sensor', environment: 'dev', records, actor: 'test' }));
    }
    const [a, b, c] = runs;
    expect(c!.committedAt).toBe(b!.committedAt);

    await rollback(b!);
    const [c2] = await reactionTo(b!, 1);

    expect(c2).toMatchObject({ status: 'succeeded', parentRunId: c!.id });
    expect(await rt.store.runs.get(a!.id)).toMatchObject({ status: 'succeeded' });
    expect((await valuesOf(rt, 'sensor', 'S')).values).toEqual({ reading: 20, change: 10, sum_3: 30 });
  });

  /*
   * A reaction run that replaced its parent cannot be rolled back (RunService refuses:
   * neither run would stay visible). One that did not replace it, because its parent was
   * rolled back before it ran, can; that rollback must start no reaction.
   */
  it('rolling back a reaction run starts no reaction of its own', async () => {
    const [a, b, c] = await series('sensor', 3);
    // Another process holds the lane, so the reaction's run waits in the queue.
    const blocker = await enqueueRecords(rt, 'sensor', [{ day: day(9), sensor: 'Z', reading: 0 }]);
    expect(await rt.store.runs.claim(blocker, 'elsewhere', rt.clock.now(), rt.clock.now() + 3_600_000)).toBe(
      true,
    );
    await rollback(b!);
    const [queued] = await waitForRuns(rt, { trigger: 'reprocess', contract: 'sensor' }, 1);
    await rollback(c!);
    await rt.store.runs.update(
      blocker.id,
      { status: 'failed', finishedAt: rt.clock.now(), error: 'gave up' },
      ['running'],
    );
    rt.dispatcher.kick('sensor', 'dev');
    const c2 = await waitForRun(rt, queued!.id);
    expect(c2).toMatchObject({
      status: 'succeeded',
      parentRunId: c!.id,
      createdBy: `system:reaction (rollback of ${b!.id})`,
    });
    rt.clock.advance(60_000);
    const d = await rt.runs.ingest({
      contract: 'sensor',
      environment: 'dev',
      records: [{ day: day(4), sensor: 'S', reading: 27 }],
      actor: 'test',
    });

    await rollback(c2);
    // A reaction that must happen, queued after the one that must not: when it is done, so is the other.
    await rollback(a!);
    const [d2] = await reactionTo(a!, 1);

    const reprocesses = await listRuns(rt, { trigger: 'reprocess', contract: 'sensor' });
    expect(reprocesses.map((r) => [r.parentRunId, r.createdBy])).toEqual([
      [c!.id, `system:reaction (rollback of ${b!.id})`],
      [d.id, `system:reaction (rollback of ${a!.id})`],
    ]);
    expect(d2).toMatchObject({ status: 'succeeded', parentRunId: d.id });
    // Days 1 to 3 are all rolled back: day 4 stands alone.
    expect((await valuesOf(rt, 'sensor', 'S')).values).toEqual({ reading: 27, change: null, sum_3: 27 });
  });

  it('the retry of a reaction run that failed is still a reaction run: rolling it back starts nothing', async () => {
    const [a, b, c] = await series('sensor', 3);
    failNextCommit = true;
    await rollback(b!);
    const [failed] = await reactionTo(b!, 1);
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'transient', parentRunId: c!.id });
    const [retry] = await waitForRuns(rt, { parentRunId: failed!.id, trigger: 'retry' }, 1);
    // Its target is rolled back before the retry runs, so the retry replaces nothing and may be rolled back.
    // The rollback happens before the retry is due: once due, the lane may pick the retry up on its own,
    // and one that read its target before the rollback committed fails (transiently) to supersede it.
    rt.clock.advance(1_000);
    expect(rt.clock.now()).toBeLessThan(retry!.notBefore!);
    await rt.runs.rollback(c!.id, 'carol');
    rt.clock.set(Math.max(retry!.notBefore!, rt.clock.now()));
    expect(await rt.dispatcher.submit(retry!)).toMatchObject({ status: 'succeeded', error: null });
    rt.clock.advance(60_000);
    const d = await rt.runs.ingest({
      contract: 'sensor',
      environment: 'dev',
      records: [{ day: day(4), sensor: 'S', reading: 27 }],
      actor: 'test',
    });

    await rollback(retry!);
    // As above: a reaction that must happen, after the one that must not.
    await rollback(a!);
    await reactionTo(a!, 1);

    const reprocesses = await listRuns(rt, { trigger: 'reprocess', contract: 'sensor' });
    expect(reprocesses.map((r) => [r.parentRunId, r.createdBy])).toEqual([
      [c!.id, `system:reaction (rollback of ${b!.id})`],
      [d.id, `system:reaction (rollback of ${a!.id})`],
    ]);
  });

  it('a reaction run that replaced its parent is refused a rollback', async () => {
    const [, b, c] = await series('sensor', 3);
    await rollback(b!);
    const [c2] = await reactionTo(b!, 1);
    expect(await rt.store.runs.get(c!.id)).toMatchObject({ status: 'superseded' });

    await expect(rt.runs.rollback(c2!.id, 'carol')).rejects.toThrow(ConflictError);
    expect(await rt.store.runs.get(c2!.id)).toMatchObject({ status: 'succeeded' });
  });

  it('contracts without window features, or with onRollback: none, start no reaction', async () => {
    const [, plainB] = await series('plain', 3);
    const [, quietB] = await series('quiet', 3);
    const [, sensorB] = await series('sensor', 3);

    await rollback(plainB!);
    await rollback(quietB!);
    await rollback(sensorB!);
    await reactionTo(sensorB!, 1);

    expect(await listRuns(rt, { trigger: 'reprocess', contract: 'plain' })).toEqual([]);
    expect(await listRuns(rt, { trigger: 'reprocess', contract: 'quiet' })).toEqual([]);
    // The quiet contract's later run keeps the windows it computed with day 2.
    expect((await valuesOf(rt, 'quiet', 'S')).values).toEqual({ reading: 20, change: 6, sum_3: 44 });
  });
});
