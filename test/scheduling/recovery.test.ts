/**
 * Crash recovery: a run left `running` by a process that died (its lease expired, or
 * it never had one) is found by the sweep (at start-up and periodically), failed as
 * 'interrupted' with a clear reason, and retried after the backoff over the same raw
 * batches. A run whose lease still holds is left alone.
 */
import net from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Run } from '../../src/domain/run';
import type { WriteHook } from '../../src/pipeline/write-stage';
import { T } from '../../src/store/tables';
import { countRows } from '../support/runtime';
import { testEngine } from '../support/engine';
import {
  TEST_RETRY,
  createManagedRuntime,
  day,
  enqueueRecords,
  listRuns,
  recordEvents,
  waitForRuns,
  valuesOf,
  waitForRun,
  type ManagedRuntime,
} from '../support/managed';

const V1 = `
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
  - { name: change, window: { op: diff, column: reading } }
`;

const LEASE = 30_000;

/** The error a connect to a port nobody listens on gives (what pg/knex throw when PostgreSQL is down). */
async function connectionRefused(): Promise<Error> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return new Promise((resolve) => net.connect(port, '127.0.0.1').once('error', resolve));
}

describe(`crash recovery (${testEngine()})`, () => {
  let rt: ManagedRuntime;
  let injected: WriteHook | null;
  beforeEach(async () => {
    injected = null;
    rt = await createManagedRuntime({
      contracts: [V1],
      leaseMs: LEASE,
      writeHook: (stage) => injected?.(stage),
    });
  });
  afterEach(() => rt.dispose());

  /** A run that a process claimed and then died running: status running, lease about to lapse. */
  async function orphan(records: unknown[], extra: { trigger?: Run['trigger'] } = {}): Promise<Run> {
    const run = await enqueueRecords(rt, 'sensor', records, extra);
    const now = rt.clock.now();
    expect(await rt.store.runs.claim(run, 'dead-instance', now, now + LEASE)).toBe(true);
    return (await rt.store.runs.get(run.id))!;
  }

  async function retriesOf(id: string): Promise<Run[]> {
    return listRuns(rt, { parentRunId: id, trigger: 'retry' });
  }

  it('fails a run whose lease expired as interrupted and retries it after the backoff over the same raw batches', async () => {
    const crashed = await orphan([{ day: day(1), sensor: 'S', reading: 10 }]);
    rt.clock.advance(LEASE + 1);
    const log = recordEvents(rt);

    await rt.dispatcher.sweep();

    const sweptAt = rt.clock.now();
    const failed = (await rt.store.runs.get(crashed.id))!;
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'interrupted', finishedAt: sweptAt });
    expect(failed.error).toMatch(/^interrupted: the process running it stopped before it finished/);
    expect(log.events.map((e) => `${e.id}:${e.status}`)).toContain(`${crashed.id}:failed`);
    const [retry] = await retriesOf(crashed.id);
    expect(retry).toMatchObject({
      status: 'queued',
      trigger: 'retry',
      parentRunId: crashed.id,
      attempt: 2,
      createdBy: 'system:retry',
      notBefore: sweptAt + TEST_RETRY.baseDelayMs,
      contractVersion: '1.0.0',
    });
    expect((await rt.store.rawBatches.forRun(retry!.id)).map((b) => b.id)).toEqual(
      (await rt.store.rawBatches.forRun(crashed.id)).map((b) => b.id),
    );

    // Not before its time: a kick now leaves it queued.
    rt.dispatcher.kick('sensor', 'dev');
    rt.clock.advance(TEST_RETRY.baseDelayMs - 1);
    await rt.dispatcher.sweep();
    expect((await rt.store.runs.get(retry!.id))!.status).toBe('queued');

    rt.clock.advance(1);
    rt.dispatcher.kick('sensor', 'dev');
    const done = await waitForRun(rt, retry!.id);
    expect(done).toMatchObject({ status: 'succeeded', counts: { read: 1, written: 1 } });
    expect(await valuesOf(rt, 'sensor', 'S')).toMatchObject({
      values: { reading: 10, change: null },
      runId: retry!.id,
    });
    // The sweep does not touch it again.
    rt.clock.advance(10 * LEASE);
    await rt.dispatcher.sweep();
    expect((await rt.store.runs.get(done.id))!.status).toBe('succeeded');
    expect(await retriesOf(done.id)).toEqual([]);
  });

  it('recovers a run left running by a dead process when another process starts up', async () => {
    const crashed = await orphan([{ day: day(1), sensor: 'S', reading: 10 }]);
    rt.clock.advance(LEASE + 1);
    const restarted = await rt.peer({ instanceId: 'instance-restarted' });

    await restarted.dispatcher.start();

    expect((await restarted.store.runs.get(crashed.id))!).toMatchObject({
      status: 'failed',
      errorKind: 'interrupted',
    });
    const [retry] = await retriesOf(crashed.id);
    rt.clock.advance(TEST_RETRY.baseDelayMs);
    restarted.dispatcher.kick('sensor', 'dev');
    expect(await waitForRun(restarted, retry!.id)).toMatchObject({ status: 'succeeded' });
    const row = (await rt.store.db(T.runs).where({ id: retry!.id }).first('claimed_by')) as {
      claimed_by: string;
    };
    expect(row.claimed_by).toBe('instance-restarted');
  });

  it('recovers a running run that never had a lease', async () => {
    const run = await enqueueRecords(rt, 'sensor', [{ day: day(1), sensor: 'S', reading: 10 }]);
    await rt.store.runs.update(run.id, { status: 'running', startedAt: rt.clock.now() });

    await rt.dispatcher.sweep();

    expect(await rt.store.runs.get(run.id)).toMatchObject({ status: 'failed', errorKind: 'interrupted' });
    expect(await retriesOf(run.id)).toHaveLength(1);
  });

  it('leaves a running run alone while its lease holds', async () => {
    const live = await orphan([{ day: day(1), sensor: 'S', reading: 10 }]);
    rt.clock.advance(LEASE - 1);

    await rt.dispatcher.sweep();

    expect(await rt.store.runs.get(live.id)).toMatchObject({ status: 'running', errorKind: null });
    expect(await retriesOf(live.id)).toEqual([]);
    // Its lane stays closed to others meanwhile.
    const next = await enqueueRecords(rt, 'sensor', [{ day: day(2), sensor: 'S', reading: 12 }]);
    expect(await rt.store.runs.claim(next, 'instance-1', rt.clock.now(), rt.clock.now() + LEASE)).toBe(false);
  });

  /** Starts an ingest whose run stalls reading its raw batch, lets its lease lapse and another process sweep it. */
  async function stalledAndSwept(): Promise<{ slow: Run; finish: () => Promise<Run> }> {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const open = rt.rawStore.open.bind(rt.rawStore);
    rt.rawStore.open = (path) =>
      Readable.from(
        (async function* () {
          await gate;
          yield* open(path);
        })(),
      );
    const pending = rt.runs.ingest({
      contract: 'sensor',
      environment: 'dev',
      records: [{ day: day(1), sensor: 'S', reading: 10 }],
      actor: 'test',
    });
    const [slow] = await waitForRuns(rt, { status: 'running' }, 1);
    rt.clock.advance(LEASE + 1);
    const other = await rt.peer({ instanceId: 'instance-2' });
    await other.dispatcher.sweep();
    expect(await rt.store.runs.get(slow!.id)).toMatchObject({ status: 'failed', errorKind: 'interrupted' });
    return {
      slow: slow!,
      finish: () => {
        release();
        return pending;
      },
    };
  }

  it('a run whose lease lapsed while its process was only slow: the late commit writes nothing and queues no second retry', async () => {
    const { slow, finish } = await stalledAndSwept();

    await finish();

    expect(await countRows(rt, T.featureRows)).toBe(0);
    expect((await rt.store.runs.get(slow.id))!.status).toBe('failed');
    expect(await retriesOf(slow.id)).toHaveLength(1);
  });

  it("a run whose lease lapsed while its process was only slow keeps the sweep's verdict (interrupted)", async () => {
    const { slow, finish } = await stalledAndSwept();
    const swept = (await rt.store.runs.get(slow.id))!;

    await finish();

    expect(await rt.store.runs.get(slow.id)).toMatchObject({
      status: 'failed',
      errorKind: 'interrupted',
      error: swept.error,
      finishedAt: swept.finishedAt,
    });
  });

  it('a run caught by a database outage records that cause once the database is back; its own sweep leaves it alone meanwhile', async () => {
    const refused = await connectionRefused();
    let down = true;
    injected = () => {
      if (down) throw refused;
    };
    // While "down", writing the run's failure (in its own transaction, with its rejects) is refused too.
    const transaction = rt.store.transaction.bind(rt.store);
    let refusedWrites = 0;
    rt.store.transaction = ((fn) =>
      transaction((tx) => {
        const update = tx.runs.update.bind(tx.runs);
        tx.runs.update = async (...args) => {
          if (down && args[1].status === 'failed') {
            refusedWrites++;
            throw refused;
          }
          return update(...args);
        };
        return fn(tx);
      })) as typeof rt.store.transaction;
    const pending = rt.runs.ingest({
      contract: 'sensor',
      environment: 'dev',
      records: [{ day: day(1), sensor: 'S', reading: 10 }],
      actor: 'test',
    });
    const [caught] = await waitForRuns(rt, { status: 'running' }, 1);
    await vi.waitFor(() => expect(refusedWrites).toBeGreaterThan(0), { timeout: 15_000 });

    // Its lease lapses meanwhile: this process's sweep knows the run is still its own.
    rt.clock.advance(LEASE + 1);
    await rt.dispatcher.sweep();
    expect(await rt.store.runs.get(caught!.id)).toMatchObject({ status: 'running' });

    down = false;
    const failed = await pending;
    expect(failed).toMatchObject({ id: caught!.id, status: 'failed', errorKind: 'transient' });
    expect(failed.error).toBe('the database is unreachable (ECONNREFUSED)');
    expect(await rt.store.runs.get(caught!.id)).toMatchObject({
      status: 'failed',
      errorKind: 'transient',
      error: 'the database is unreachable (ECONNREFUSED)',
    });
    // Retried like any transient failure.
    expect(await retriesOf(caught!.id)).toHaveLength(1);
    expect(await countRows(rt, T.featureRows)).toBe(0);
  });

  it('the retry of an interrupted reprocess still supersedes the run it reprocesses', async () => {
    const first = await rt.runs.ingest({
      contract: 'sensor',
      environment: 'dev',
      records: [{ day: day(1), sensor: 'S', reading: 10 }],
      actor: 'test',
    });
    rt.clock.advance(1_000);
    const contract = (await rt.store.contracts.findVersion('sensor', '1.0.0'))!;
    const reprocess = await rt.executor.enqueue({
      contract,
      environment: 'dev',
      trigger: 'reprocess',
      rawBatches: await rt.store.rawBatches.forRun(first.id),
      actor: 'test',
      parentRunId: first.id,
    });
    const now = rt.clock.now();
    expect(await rt.store.runs.claim(reprocess, 'dead-instance', now, now + LEASE)).toBe(true);
    rt.clock.advance(LEASE + 1);
    await rt.dispatcher.sweep();
    const [retry] = await retriesOf(reprocess.id);

    rt.clock.advance(TEST_RETRY.baseDelayMs);
    rt.dispatcher.kick('sensor', 'dev');
    expect(await waitForRun(rt, retry!.id)).toMatchObject({ status: 'succeeded' });

    // One visible run for the same rows: the retry replaced the original, as the reprocess would have.
    expect(await rt.store.runs.get(first.id)).toMatchObject({ status: 'superseded' });
    expect(await valuesOf(rt, 'sensor', 'S')).toMatchObject({ runId: retry!.id });
  });
});
