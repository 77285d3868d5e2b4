/**
 * The committed position moves in the run's commit transaction, and fences: a
 * micro-batch at or before it is refused (nothing written), while reprocessing a
 * stream run re-reads it on purpose and leaves the position alone. No broker here:
 * micro-batches are built from plain messages.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { testEngine } from '../support/engine';
import { T } from '../../src/store/tables';
import { countRows } from '../support/runtime';
import { MicroBatchRunner } from '../../src/streaming/micro-batch';
import type { BrokerMessage } from '../../src/domain/stream';
import { reading, sensorContract, uniqueName } from './streaming-fixtures';

const SOURCE = 'nats:sensors.readings';

function messages(...entries: Array<[position: number, payload: string]>): BrokerMessage[] {
  return entries.map(([p, payload]) => ({ position: String(p), payload, handle: null }));
}

describe(`stream offsets (${testEngine()})`, () => {
  let rt: TestRuntime;
  let name: string;
  let runner: MicroBatchRunner;

  beforeEach(async () => {
    name = uniqueName('sensors');
    rt = await createTestRuntime({
      contracts: [sensorContract({ name, broker: 'nats', endpoint: 'sensors.readings' })],
    });
    runner = new MicroBatchRunner(rt);
  });
  afterEach(() => rt?.dispose());

  async function runBatch(msgs: BrokerMessage[]) {
    const contract = await rt.registry.resolve(name, undefined, 'dev');
    return runner.run({
      contract,
      environment: 'dev',
      messages: msgs,
      source: SOURCE,
      broker: 'nats',
      stream: 'SENSORS',
      consumer: 'tidemark_x_dev',
    });
  }

  const offset = () => rt.store.streamOffsets.get({ contract: name, environment: 'dev', source: SOURCE });

  it('moves the committed position with the rows of a stream run', async () => {
    const run = await runBatch(messages([5, reading('a', 1, 1)], [7, reading('b', 1, 2)]));
    expect(run.status).toBe('succeeded');
    expect(await offset()).toMatchObject({
      position: '7',
      runId: run.id,
      stream: 'SENSORS',
      consumer: 'tidemark_x_dev',
    });
    const [raw] = await rt.store.rawBatches.forRun(run.id);
    expect(raw!.sourceUri).toBe(`${SOURCE}#5..7`);
  });

  it('refuses a micro-batch at or before the committed position: nothing is written', async () => {
    await runBatch(messages([5, reading('a', 1, 1)], [7, reading('b', 1, 2)]));
    const rows = await countRows(rt, T.featureRows);

    const overlap = await runBatch(messages([7, reading('b', 1, 2)], [9, reading('c', 1, 3)]));
    expect(overlap.status).toBe('failed');
    expect(overlap.error).toMatch(/committed already \(up to 7/);
    expect(overlap.errorKind).toBe('input');
    expect(await countRows(rt, T.featureRows)).toBe(rows);
    expect((await offset())!.position).toBe('7');
  });

  it('reuses the raw batch of the same messages, and still writes them once', async () => {
    const msgs = messages([1, reading('a', 1, 1)], [2, '{not json']);
    const first = await runBatch(msgs);
    const again = await runBatch(msgs);
    const [a] = await rt.store.rawBatches.forRun(first.id);
    const [b] = await rt.store.rawBatches.forRun(again.id);
    expect(b!.id).toBe(a!.id);
    expect(again.status).toBe('failed');
    expect(await countRows(rt, T.featureRows)).toBe(1);
  });

  it('a reprocess of a stream run re-reads it without moving or hitting the position', async () => {
    const first = await runBatch(messages([1, reading('a', 1, 1)]));
    await runBatch(messages([2, reading('a', 2, 2)]));
    const reprocessed = await rt.runs.reprocess(first.id, { actor: 'test' });
    expect(reprocessed.status).toBe('succeeded');
    expect(await offset()).toMatchObject({ position: '2' });
  });

  it('a skip moves the position forward only', async () => {
    const key = { contract: name, environment: 'dev', source: SOURCE };
    expect(await rt.store.streamOffsets.skipTo(key, '1700000000000-5', null, 1)).toBe(true);
    expect(await rt.store.streamOffsets.skipTo(key, '1700000000000-4', null, 2)).toBe(false);
    expect((await rt.store.streamOffsets.list({ contract: name }))[0]).toMatchObject({
      position: '1700000000000-5',
    });
  });
});
