/**
 * Exactly once: a crash between the commit and the acknowledgement, a restart of the
 * whole consumer, a transient failure retried by the dispatcher — every message is
 * written once, never twice, and none is lost.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { testEngine } from '../support/engine';
import { T } from '../../src/store/tables';
import type { StreamConsumerManager } from '../../src/streaming/consumer-manager';
import {
  brokerOf,
  featureRowCount,
  openTestStream,
  STREAM_KINDS,
  reading,
  sensorContract,
  streamRuns,
  testManager,
  uniqueName,
  waitFor,
  type TestStream,
} from './streaming-fixtures';
import { countRows } from '../support/runtime';
import { enqueueRecords } from '../support/managed';

describe.each(STREAM_KINDS)(`exactly once from %s (${testEngine()})`, (kind) => {
  const broker = brokerOf(kind);
  let rt: TestRuntime;
  let stream: TestStream;
  let managers: StreamConsumerManager[];
  let name: string;

  beforeEach(async () => {
    stream = await openTestStream(kind);
    name = uniqueName('sensors');
    managers = [];
  });

  afterEach(async () => {
    for (const m of managers) await m.stop();
    await rt?.dispose();
    await stream?.dispose();
  });

  async function start(opts: Parameters<typeof testManager>[1] = {}): Promise<StreamConsumerManager> {
    const m = testManager(rt, opts);
    managers.push(m);
    await m.start();
    return m;
  }

  async function expectWrittenOnce(sensors: string[]): Promise<void> {
    expect(await featureRowCount(rt)).toBe(sensors.length);
    const runs = await streamRuns(rt, name);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    expect(runs.reduce((n, r) => n + r.counts.written, 0)).toBe(sensors.length);
    expect(await countRows(rt, T.rawBatches)).toBe(runs.length);
    const vectors = await rt.features.features({ contract: name, entities: sensors, environment: 'dev' });
    expect(vectors.every((v) => v.values !== null)).toBe(true);
  }

  it('a crash between the commit and the ack: redelivered messages are not written twice', async () => {
    rt = await createTestRuntime({
      contracts: [sensorContract({ name, broker, endpoint: stream.endpoint, maxRecords: 3 })],
    });
    let crashes = 0;
    const manager = await start({
      hooks: {
        afterCommit: () => {
          if (crashes++ === 0) throw new Error('killed after commit, before ack');
        },
      },
    });
    await stream.publish(reading('a', 1, 1), reading('b', 1, 2), reading('c', 1, 3));
    await waitFor('the crash', () => crashes > 0);
    // The consumer reopens its session from the committed position by itself.
    const [last] = await stream.publish(reading('d', 1, 4), reading('e', 1, 5)).then((p) => p.slice(-1));
    await waitFor('the messages after the crash', () => {
      const s = manager.status()[0];
      return !!s && s.lastPosition === last && s.unacknowledged === 0 && s.lag === 0;
    });
    await expectWrittenOnce(['a', 'b', 'c', 'd', 'e']);
    expect(await streamRuns(rt, name)).toHaveLength(2);
  });

  it('a process killed after the commit: a new consumer on the same store skips what is stored', async () => {
    rt = await createTestRuntime({
      contracts: [sensorContract({ name, broker, endpoint: stream.endpoint, maxRecords: 3 })],
    });
    let crashed = false;
    const first = await start({
      restartDelayMs: 60_000,
      hooks: {
        afterCommit: () => {
          crashed = true;
          throw new Error('killed after commit, before ack');
        },
      },
    });
    await stream.publish(reading('a', 1, 1), reading('b', 1, 2), reading('c', 1, 3));
    await waitFor('the crash', () => crashed);
    await first.stop();
    expect(await featureRowCount(rt)).toBe(3);

    const second = await start();
    const [last] = await stream.publish(reading('d', 1, 4)).then((p) => p.slice(-1));
    await waitFor('the restarted consumer', () => {
      const s = second.status()[0];
      return !!s && s.lastPosition === last && s.unacknowledged === 0 && s.lag === 0;
    });
    await expectWrittenOnce(['a', 'b', 'c', 'd']);
  });

  it('stopped while paused on a failed micro-batch with a committed position: a restart reconnects and writes it once', async () => {
    const failOnHuge = ['  - { expect: between, column: value, max: 1000, severity: fail }'];
    const v = (version: string, extra: string[]) =>
      sensorContract({
        name,
        version,
        broker,
        endpoint: stream.endpoint,
        maxRecords: 10,
        expectations: extra,
      });
    rt = await createTestRuntime({ contracts: [v('1.0.0', failOnHuge)] });
    const sensors = Array.from({ length: 16 }, (_, i) => `s${i}`);
    const first = await start();
    const committed = await stream.publish(...sensors.slice(0, 10).map((s, i) => reading(s, 1, i)));
    await waitFor('10 committed', () => first.status()[0]?.lastPosition === committed[9]);
    // Six more, one of which fails the `fail` check: paused with six unacknowledged messages.
    await stream.publish(...sensors.slice(10).map((s, i) => reading(s, 1, i === 3 ? 5000 : i)));
    await waitFor('the pause', () => first.status()[0]?.paused && first.status()[0]?.unacknowledged === 6);
    await first.stop();

    await rt.apply(v('1.1.0', []));
    const second = await start();
    const done = await waitFor('the held micro-batch written after the restart', () => {
      const s = second.status()[0];
      return s?.connected && s.lag === 0 && s.unacknowledged === 0 && s.lastPosition !== committed[9] && s;
    });
    expect(done).toMatchObject({ paused: false, error: null, contractVersion: '1.1.0' });
    expect(await featureRowCount(rt)).toBe(16);
    const runs = await streamRuns(rt, name);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(runs.reduce((n, r) => n + r.counts.written, 0)).toBe(16);
  });

  it('says what a micro-batch waits for while a crashed process still holds its lane', async () => {
    rt = await createTestRuntime({
      contracts: [sensorContract({ name, broker, endpoint: stream.endpoint, maxRecords: 2 })],
    });
    // A run of this lane claimed by a process on another host that died: its lease holds for 60 s.
    const blocker = await enqueueRecords(rt, name, [{ sensor: 'z', ts: '2024-01-01T00:00:00Z', value: 1 }]);
    const now = rt.clock.now();
    expect(await rt.store.runs.claim(blocker, 'elsewhere:4242', now, now + 60_000)).toBe(true);
    const manager = await start();
    const positions = await stream.publish(reading('a', 1, 1), reading('b', 1, 2));
    const waiting = await waitFor('the waiting status', () => manager.status()[0]?.waitingFor);
    expect(waiting).toBe(
      `waiting for run ${blocker.id} (manual), held by elsewhere:4242 with a lease until ${new Date(now + 60_000).toISOString()}`,
    );
    expect(manager.status()[0]).toMatchObject({ paused: false, lastPosition: null });

    rt.clock.advance(60_001);
    await rt.dispatcher.sweep();
    await waitFor(
      'the micro-batch after the lease',
      () => manager.status()[0]?.lastPosition === positions[1],
    );
    expect(manager.status()[0]!.waitingFor).toBeNull();
    expect(await featureRowCount(rt)).toBe(2);
  });

  it('a transiently failed micro-batch is retried by the dispatcher and acknowledged once it commits', async () => {
    let failures = 0;
    rt = await createTestRuntime({
      contracts: [sensorContract({ name, broker, endpoint: stream.endpoint, maxRecords: 2 })],
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 },
      writeHook: (stage) => {
        if (stage === 'features' && failures++ === 0) throw new Error('database hiccup');
      },
    });
    const manager = await start();
    const positions = await stream.publish(reading('a', 1, 1), reading('b', 1, 2));
    await waitFor('the failed attempt', async () => (await streamRuns(rt, name))[0]?.status === 'failed');
    await waitFor(
      'its retry',
      async () => (await rt.store.runs.list({ contract: name, trigger: 'retry' }, 1)).totalCount,
    );
    // The retry waits for its backoff on the runtime's (manual) clock.
    rt.clock.advance(1000);
    await waitFor('the retry to commit', () => manager.status()[0]?.lastPosition === positions[1]);
    const retries = (await rt.store.runs.list({ contract: name, trigger: 'retry' }, 10)).runs;
    expect(retries.map((r) => r.status)).toEqual(['succeeded']);
    expect(await featureRowCount(rt)).toBe(2);
    // The committed position is stored by the retry's transaction; the consumer learns the
    // run's outcome a moment later, when the dispatcher's answer reaches it.
    await waitFor('the consumer to see the commit', () => manager.status()[0]?.lastRunId != null);
    expect(manager.status()[0]).toMatchObject({ paused: false, lastRunId: retries[0]!.id });
    await waitFor('the ack', () => manager.status()[0]?.unacknowledged === 0);
  });
});
