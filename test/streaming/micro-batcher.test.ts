import { describe, expect, it } from 'vitest';
import { MicroBatcher, batchWindowOf } from '../../src/streaming/micro-batcher';

describe('micro-batcher', () => {
  it('closes on the count at once', async () => {
    const b = new MicroBatcher<number>({ maxRecords: 3, maxWaitMs: 60_000 });
    [1, 2, 3, 4].forEach((i) => b.push(i));
    const abort = new AbortController();
    expect(await b.next(abort.signal)).toEqual([1, 2, 3]);
    expect(b.size).toBe(1);
  });

  it('closes on the window after the first message', async () => {
    let now = 0;
    const b = new MicroBatcher<number>({ maxRecords: 100, maxWaitMs: 50 }, () => now);
    const abort = new AbortController();
    const next = b.next(abort.signal);
    b.push(1);
    b.push(2);
    now = 50;
    expect(await next).toEqual([1, 2]);
  });

  it('answers null once aborted, and drops what it holds on clear', async () => {
    const b = new MicroBatcher<number>({ maxRecords: 100, maxWaitMs: 60_000 });
    b.push(1);
    const abort = new AbortController();
    const next = b.next(abort.signal);
    abort.abort();
    expect(await next).toBeNull();
    expect(b.clear()).toBe(1);
  });

  it('reads the window from the contract, bounded by what may be held in memory', () => {
    expect(batchWindowOf({ type: 'nats', batch: { maxRecords: 5000, maxWait: 'PT2S' } }, 1000)).toEqual({
      maxRecords: 1000,
      maxWaitMs: 2000,
    });
    expect(batchWindowOf({ type: 'nats' }, 1000)).toEqual({ maxRecords: 1000, maxWaitMs: 1000 });
  });
});
