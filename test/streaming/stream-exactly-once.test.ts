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
  BROKERS,
  featureRowCount,
  openTestStream,
  reading,
  sensorContract,
  streamRuns,
  testManager,
  uniqueName,
  waitFor,
  type TestStream,
} from './streaming-fixtures';
import { countRows } from '../support/runtime';

describe.each(BROKERS)(`exactly once from %s (${testEngine()})`, (broker) => {
  let rt: TestRuntime;
  let stream: TestStream;
  let managers: StreamConsumerManager[];
  let name: string;

  beforeEach(async () => {
    stream = await openTestStream(broker);
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
    expect(manager.status()[0]).toMatchObject({ paused: false, lastRunId: expect.any(String) });
    await waitFor('the ack', () => manager.status()[0]?.unacknowledged === 0);
  });
});
