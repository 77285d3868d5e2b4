/**
 * Messages on a real broker become features through micro-batch runs; poison
 * messages go to the rejects with their positions and never block the stream.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { testEngine } from '../support/engine';
import type { StreamConsumerManager } from '../../src/streaming/consumer-manager';
import type { StreamMetrics } from '../../src/domain/stream';
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

function recordingMetrics() {
  const seen = { consumed: 0, rejected: 0, lag: [] as Array<number | null> };
  const metrics: StreamMetrics = {
    consumed: (_c, _e, n) => void (seen.consumed += n),
    rejected: (_c, _e, n) => void (seen.rejected += n),
    lag: (_c, _e, lag) => void seen.lag.push(lag),
  };
  return { seen, metrics };
}

describe.each(BROKERS)(`stream ingestion from %s (${testEngine()})`, (broker) => {
  let rt: TestRuntime;
  let stream: TestStream;
  let manager: StreamConsumerManager;
  let name: string;

  beforeEach(async () => {
    stream = await openTestStream(broker);
    name = uniqueName('sensors');
    rt = await createTestRuntime({
      contracts: [sensorContract({ name, broker, endpoint: stream.endpoint })],
    });
  });

  afterEach(async () => {
    await manager?.stop();
    await rt?.dispose();
    await stream?.dispose();
  });

  it('turns published messages into features within the window, one raw batch per micro-batch', async () => {
    manager = testManager(rt);
    await manager.start();
    const positions = await stream.publish(
      reading('s1', 1, 1.5),
      reading('s2', 1, 2.5),
      reading('s1', 2, 3.5),
    );

    const [run] = await waitFor('a committed stream run', async () => {
      const runs = await streamRuns(rt, name);
      return runs.length > 0 && runs.every((r) => r.status === 'succeeded') ? runs : null;
    });
    expect(run!.trigger).toBe('stream');
    expect(run!.counts).toMatchObject({ read: 3, written: 3, rejected: 0 });
    const [raw] = await rt.store.rawBatches.forRun(run!.id);
    expect(raw!.sourceType).toBe(broker);
    expect(await rt.store.streamOffsets.batchPositions(raw!.id)).toMatchObject({
      from: positions[0],
      to: positions[2],
      count: 3,
      source: `${broker}:${stream.endpoint}`,
    });
    const vectors = await rt.features.features({
      contract: name,
      entities: ['s1', 's2'],
      environment: 'dev',
    });
    expect(vectors.map((v) => v.values)).toEqual([{ value: 3.5 }, { value: 2.5 }]);

    const status = await waitFor('status after the commit', () => {
      const s = manager.status({ contract: name })[0];
      return !!s && s.lastPosition === positions[2] && s.lag === 0 && s.unacknowledged === 0 ? s : null;
    });
    expect(status).toMatchObject({
      environment: 'dev',
      source: broker,
      connected: true,
      paused: false,
      error: null,
    });
    expect(status.lastRunId).toBe(run!.id);
    expect(status.inMemory).toBe(0);
  });

  it('closes a micro-batch on the count before the window', async () => {
    await rt.apply(
      sensorContract({
        name,
        version: '1.1.0',
        broker,
        endpoint: stream.endpoint,
        maxRecords: 2,
        maxWait: 'PT30S',
      }),
    );
    manager = testManager(rt);
    await manager.start();
    await stream.publish(reading('a', 1, 1), reading('b', 1, 2), reading('c', 1, 3), reading('d', 1, 4));
    const runs = await waitFor('two micro-batches of two', async () => {
      const r = await streamRuns(rt, name);
      return r.length === 2 && r.every((x) => x.status === 'succeeded') ? r : null;
    });
    expect(runs.map((r) => r.counts.read)).toEqual([2, 2]);
    expect(runs.map((r) => r.contractVersion)).toEqual(['1.1.0', '1.1.0']);
  });

  it('rejects a poison message with its position and reason; the stream goes on', async () => {
    const { seen, metrics } = recordingMetrics();
    manager = testManager(rt, { metrics });
    await manager.start();
    const positions = await stream.publish(
      reading('s1', 1, 1),
      '{"sensor": "s2", "ts": oops',
      reading('s3', 1, -7),
      '[1, 2]',
      reading('s4', 1, 4),
    );
    const [run] = await waitFor('the poisoned micro-batch', async () => {
      const r = await streamRuns(rt, name);
      return r[0]?.status === 'succeeded' ? r : null;
    });
    expect(run!.counts).toMatchObject({ read: 5, rejected: 3, written: 2 });
    const rejects = (await rt.store.rejects.forRun(run!.id, 10)).rows;
    const byRow = new Map(rejects.map((r) => [r.rowNumber, r]));
    expect(byRow.get(2)!.raw).toMatchObject({
      _position: positions[1],
      _payload: '{"sensor": "s2", "ts": oops',
    });
    expect(byRow.get(2)!.reasons[0]).toMatchObject({
      rule: 'parse',
      message: expect.stringMatching(/^message is not valid JSON: Unexpected token 'o'/),
    });
    expect(byRow.get(3)!.raw).toMatchObject({ sensor: 's3', _position: positions[2] });
    expect(byRow.get(3)!.reasons[0]).toMatchObject({ rule: 'between', column: 'value' });
    expect(byRow.get(4)!.raw).toMatchObject({ _position: positions[3], _payload: '[1, 2]' });
    expect(byRow.get(4)!.reasons[0]).toMatchObject({
      rule: 'parse',
      message: 'message is JSON but not an object (got array)',
    });

    const [later] = await stream.publish(reading('s5', 1, 5));
    await waitFor(
      'the next micro-batch',
      () => manager.status({ contract: name })[0]?.lastPosition === later,
    );
    expect(await featureRowCount(rt)).toBe(3);
    expect(seen).toMatchObject({ consumed: 6, rejected: 3 });
    expect(seen.lag).toContain(0);
  });

  it('reports an unreachable source as an error, not connected', async () => {
    manager = testManager(rt, {
      adapters: { [broker]: { open: () => Promise.reject(new Error('broker down')) } },
    });
    await manager.start();
    const status = await waitFor('the error', () => manager.status()[0]?.error);
    expect(status).toBe('broker down');
    expect(manager.status()[0]!.connected).toBe(false);
  });
});
