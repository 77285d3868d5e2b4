/**
 * A micro-batch whose run fails pauses its consumer: nothing is acknowledged or
 * pulled, the status reports the failed run, the lag grows with what is published,
 * and `resume()` continues (the same micro-batch again, or skipped on request).
 * Backpressure: never more than maxInFlight messages in memory.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { testEngine } from '../support/engine';
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

const NEEDS_1000_ROWS = ['  - { expect: row_count_between, min: 1000, severity: fail }'];

describe.each(STREAM_KINDS)(`paused streams and backpressure on %s (${testEngine()})`, (kind) => {
  const broker = brokerOf(kind);
  let rt: TestRuntime;
  let stream: TestStream;
  let manager: StreamConsumerManager;
  let name: string;
  /** Opens the gate a test may hold micro-batches behind. */
  let release = () => {};

  const contract = (version: string, expectations: string[] = NEEDS_1000_ROWS) =>
    sensorContract({
      name,
      version,
      broker,
      endpoint: stream.endpoint,
      maxRecords: 3,
      maxWait: 'PT0.3S',
      expectations,
    });

  beforeEach(async () => {
    stream = await openTestStream(kind);
    name = uniqueName('sensors');
    rt = await createTestRuntime({ contracts: [contract('1.0.0')] });
  });

  afterEach(async () => {
    release();
    await manager?.stop();
    await rt?.dispose();
    await stream?.dispose();
  });

  async function pausedOn(runIndex: number) {
    const runs = await waitFor(`failed run #${runIndex + 1}`, async () => {
      const r = await streamRuns(rt, name);
      return r[runIndex]?.status === 'failed' ? r : null;
    });
    const status = await waitFor(
      'the paused status',
      () => manager.status()[0]?.paused && manager.status()[0],
    );
    expect(status).toMatchObject({ paused: true, lastRunId: runs[runIndex]!.id, inMemory: 3 });
    expect(status.error).toMatch(/validation failed: row_count_between/);
    return status;
  }

  it('pauses on a failing micro-batch, reports the lag, and resumes under a fixed version', async () => {
    manager = testManager(rt);
    await manager.start();
    await stream.publish(reading('a', 1, 1), reading('b', 1, 2), reading('c', 1, 3));
    const paused = await pausedOn(0);
    const committedBefore = paused.lastPosition;

    const more = await stream.publish(
      reading('d', 1, 4),
      reading('e', 1, 5),
      reading('f', 1, 6),
      reading('g', 1, 7),
    );
    const lagging = await waitFor('lag 4', () =>
      manager.status()[0]?.lag === 4 ? manager.status()[0] : null,
    );
    expect(lagging).toMatchObject({
      paused: true,
      unacknowledged: 3,
      inMemory: 3,
      lastPosition: committedBefore,
    });
    expect(await featureRowCount(rt)).toBe(0);

    await rt.apply(contract('1.1.0', []));
    await manager.refresh();
    await manager.resume(name, 'dev', { actor: 'test' });
    await waitFor('everything committed', () => {
      const s = manager.status()[0];
      return !!s && s.lastPosition === more[3] && s.lag === 0 && s.unacknowledged === 0;
    });
    expect(await featureRowCount(rt)).toBe(7);
    const runs = await streamRuns(rt, name);
    expect(runs[0]).toMatchObject({ status: 'failed', contractVersion: '1.0.0' });
    expect(runs.slice(1).every((r) => r.status === 'succeeded' && r.contractVersion === '1.1.0')).toBe(true);
    expect(manager.status()[0]).toMatchObject({ paused: false, error: null, contractVersion: '1.1.0' });
  });

  it('skips the failed micro-batch on request; its run can be reprocessed later', async () => {
    manager = testManager(rt);
    await manager.start();
    const first = await stream.publish(reading('a', 1, 1), reading('b', 1, 2), reading('c', 1, 3));
    const paused = await pausedOn(0);

    const resumed = await manager.resume(name, 'dev', { skip: true, actor: 'test' });
    expect(resumed).toMatchObject({ paused: false, lastPosition: first[2] });
    expect((await rt.store.audit.list({ targetId: name, limit: 10 })).map((a) => a.action)).toContain(
      'stream.skip',
    );

    // The stream goes on (and the next micro-batch fails the same check again).
    await stream.publish(reading('d', 1, 4), reading('e', 1, 5), reading('f', 1, 6));
    await pausedOn(1);
    expect(await featureRowCount(rt)).toBe(0);

    // The skipped messages are kept: a reprocess under a version without the check writes them.
    await rt.apply(contract('1.1.0', []));
    const reprocessed = await rt.runs.reprocess(paused.lastRunId!, {
      contractVersion: '1.1.0',
      actor: 'test',
    });
    expect(reprocessed).toMatchObject({ status: 'succeeded', counts: { written: 3 } });
    expect(manager.status()[0]!.lastPosition).toBe(first[2]);
  });

  it('never holds more than maxInFlight messages in memory', async () => {
    await rt.apply(contract('1.1.0', []));
    const gate = new Promise<void>((r) => (release = r));
    const samples: number[] = [];
    manager = testManager(rt, { maxInFlight: 8, hooks: { afterCommit: () => gate } });
    await manager.start();
    const positions = await stream.publish(...Array.from({ length: 30 }, (_, i) => reading(`s${i}`, 1, i)));

    // The first micro-batch waits before its ack; the pump fills memory up to the bound and stops.
    await waitFor('memory full', () => manager.status()[0]?.inMemory === 8);
    for (let i = 0; i < 10; i++) {
      const s = manager.status()[0]!;
      samples.push(s.inMemory, s.unacknowledged ?? 0);
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(Math.max(...samples)).toBeLessThanOrEqual(8);
    release();
    await waitFor('all 30 committed', () => manager.status()[0]?.lastPosition === positions[29]);
    expect(await featureRowCount(rt)).toBe(30);
  });
});
