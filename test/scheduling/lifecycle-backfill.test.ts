/**
 * Automatic backfill (`policy: { onNewVersion: backfill }`): applying a new minor
 * reprocesses every succeeded run of its major under it (each supersedes its parent);
 * a new major runs every kept raw batch once into its own view while the old view
 * stays as it was; promoting runs the raw batches in the target environment. Without
 * the policy nothing runs by itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Environment } from '../../src/domain/environment';
import type { Run } from '../../src/domain/run';
import { testEngine } from '../support/engine';
import {
  TEST_RETRY,
  createManagedRuntime,
  day,
  endOfDay,
  listRuns,
  valuesOf,
  waitForRun,
  waitForRuns,
  type ManagedRuntime,
} from '../support/managed';

const POLICY = 'policy: { onNewVersion: backfill }';

const v1 = (policy = POLICY) => `
name: sensor
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
  - { name: sum_2, window: { op: sum, column: reading, rows: 2 } }
${policy}
`;

/** 1.1.0 adds a window feature: additive. */
const v1_1 = (policy = POLICY) =>
  v1(policy)
    .replace('version: 1.0.0', 'version: 1.1.0')
    .replace('rows: 2 } }', 'rows: 2 } }\n  - { name: change, window: { op: diff, column: reading } }');

/** 2.0.0 drops sum_2 (breaking) for a mean: a new view. */
const V2 = v1()
  .replace('version: 1.0.0', 'version: 2.0.0')
  .replace(
    '{ name: sum_2, window: { op: sum, column: reading, rows: 2 } }',
    '{ name: mean_2, window: { op: mean, column: reading, rows: 2 } }',
  );

const A = [
  { day: day(1), sensor: 'S', reading: 10 },
  { day: day(1), sensor: 'T', reading: 1 },
];
const B = [
  { day: day(2), sensor: 'S', reading: 14 },
  { day: day(2), sensor: 'T', reading: 4 },
];

describe(`automatic backfill (${testEngine()})`, () => {
  let rt: ManagedRuntime;
  afterEach(() => rt.dispose());

  async function ingest(records: unknown[], environment: Environment = 'dev'): Promise<Run> {
    rt.clock.advance(60_000);
    const run = await rt.runs.ingest({ contract: 'sensor', environment, records, actor: 'test' });
    expect(run.status).toBe('succeeded');
    return run;
  }

  /** Applies the YAML as alice, then waits for the `count` backfill runs it should queue. */
  async function applyAndBackfill(
    yaml: string,
    count: number,
    environment: Environment = 'dev',
  ): Promise<Run[]> {
    rt.clock.advance(60_000);
    const before = (await listRuns(rt, { trigger: 'backfill', environment })).length;
    await rt.apply('alice', yaml);
    const queued = (await listRuns(rt, { trigger: 'backfill', environment })).slice(before);
    expect(queued).toHaveLength(count);
    const done = [];
    for (const q of queued) done.push(await waitForRun(rt, q.id));
    return done;
  }

  it('a new minor reprocesses each earlier run under it, superseding it, with the new feature computed across runs', async () => {
    rt = await createManagedRuntime({ contracts: [v1()] });
    const a = await ingest(A);
    const b = await ingest(B);

    const [a2, b2] = await applyAndBackfill(v1_1(), 2);

    expect([a2, b2]).toMatchObject([
      {
        status: 'succeeded',
        trigger: 'backfill',
        parentRunId: a.id,
        contractVersion: '1.1.0',
        createdBy: 'system:backfill (alice)',
      },
      {
        status: 'succeeded',
        trigger: 'backfill',
        parentRunId: b.id,
        contractVersion: '1.1.0',
        createdBy: 'system:backfill (alice)',
      },
    ]);
    expect(b2!.startedAt).toBeGreaterThanOrEqual(a2!.finishedAt!);
    expect(await rt.store.runs.get(a.id)).toMatchObject({
      status: 'superseded',
      invalidatedAt: a2!.committedAt,
    });
    expect(await rt.store.runs.get(b.id)).toMatchObject({
      status: 'superseded',
      invalidatedAt: b2!.committedAt,
    });
    expect(await rt.store.rawBatches.forRun(b2!.id)).toEqual(await rt.store.rawBatches.forRun(b.id));

    expect(await valuesOf(rt, 'sensor', 'S')).toEqual({
      values: { reading: 14, sum_2: 24, change: 4 },
      runId: b2!.id,
      contractVersion: '1.1.0',
    });
    expect((await valuesOf(rt, 'sensor', 'T')).values).toEqual({ reading: 4, sum_2: 5, change: 3 });
    expect((await valuesOf(rt, 'sensor', 'S', { asOf: endOfDay(1) })).values).toEqual({
      reading: 10,
      sum_2: 10,
      change: null,
    });
    expect(await listRuns(rt, { status: 'succeeded' })).toHaveLength(2);
  });

  it('a new major runs every kept raw batch once into its own view; the old view stays visible under its major', async () => {
    rt = await createManagedRuntime({ contracts: [v1()] });
    const a = await ingest(A);
    const b = await ingest(B);

    const [v2run] = await applyAndBackfill(V2, 1);

    expect(v2run).toMatchObject({
      status: 'succeeded',
      contractVersion: '2.0.0',
      contractMajor: 2,
      parentRunId: null,
      counts: { read: 4, written: 4 },
    });
    const raw = [
      ...(await rt.store.rawBatches.forRun(a.id)),
      ...(await rt.store.rawBatches.forRun(b.id)),
    ].map((x) => x.id);
    expect((await rt.store.rawBatches.forRun(v2run!.id)).map((x) => x.id)).toEqual(raw);
    expect((await rt.store.runs.getMany([a.id, b.id])).map((r) => r.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);

    expect(await valuesOf(rt, 'sensor', 'S', { version: '2' })).toEqual({
      values: { reading: 14, mean_2: 12 },
      runId: v2run!.id,
      contractVersion: '2.0.0',
    });
    expect(await valuesOf(rt, 'sensor', 'S', { version: '1' })).toEqual({
      values: { reading: 14, sum_2: 24 },
      runId: b.id,
      contractVersion: '1.0.0',
    });
    expect((await valuesOf(rt, 'sensor', 'T', { version: '2', asOf: endOfDay(1) })).values).toEqual({
      reading: 1,
      mean_2: 1,
    });
  });

  it('promoting a version runs the kept raw batches in the target environment', async () => {
    rt = await createManagedRuntime({ contracts: [v1()] });
    await ingest(A);
    await ingest(B);
    rt.clock.advance(60_000);

    await rt.contracts.promote('sensor', '1.0.0', 'test', 'bob');

    const [run] = await waitForRuns(rt, { environment: 'test' }, 1);
    expect(run).toMatchObject({
      trigger: 'backfill',
      createdBy: 'system:backfill (bob)',
      contractVersion: '1.0.0',
    });
    expect(await waitForRun(rt, run!.id)).toMatchObject({
      status: 'succeeded',
      counts: { read: 4, written: 4 },
    });
    expect(await valuesOf(rt, 'sensor', 'S', { environment: 'test' })).toMatchObject({
      values: { reading: 14, sum_2: 24 },
    });
  });

  it('a backfill run that fails transiently is retried, and the retry still supersedes the run it replaces', async () => {
    let failures = 0;
    rt = await createManagedRuntime({
      contracts: [v1()],
      writeHook: (stage) => {
        if (stage === 'features' && rt.clock.now() >= failAfter && failures++ === 0)
          throw new Error('database busy (simulated)');
      },
    });
    let failAfter = Infinity;
    const a = await ingest(A);
    failAfter = rt.clock.now();

    const [failed] = await applyAndBackfill(v1_1(), 1);
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'transient', parentRunId: a.id });
    const [retry] = await waitForRuns(rt, { parentRunId: failed!.id, trigger: 'retry' }, 1);
    rt.clock.advance(TEST_RETRY.baseDelayMs);
    expect(await rt.dispatcher.submit(retry!)).toMatchObject({
      status: 'succeeded',
      contractVersion: '1.1.0',
    });

    expect(await rt.store.runs.get(a.id)).toMatchObject({ status: 'superseded' });
    expect(await valuesOf(rt, 'sensor', 'S')).toMatchObject({ runId: retry!.id, contractVersion: '1.1.0' });
  });

  it('without the policy a new version runs nothing by itself', async () => {
    rt = await createManagedRuntime({ contracts: [v1('')] });
    const a = await ingest(A);
    const b = await ingest(B);

    const outcomes = await rt.apply('alice', v1_1(''));
    await rt.apply('alice', V2.replace(POLICY, ''));

    expect(outcomes).toMatchObject([{ version: '1.1.0', status: 'registered' }]);
    expect((await listRuns(rt)).map((r) => [r.id, r.status])).toEqual([
      [a.id, 'succeeded'],
      [b.id, 'succeeded'],
    ]);
    expect((await rt.store.audit.list()).filter((e) => e.action === 'contract.backfill')).toEqual([]);
    expect(await valuesOf(rt, 'sensor', 'S', { version: '1' })).toMatchObject({
      runId: b.id,
      contractVersion: '1.0.0',
    });
  });
});
