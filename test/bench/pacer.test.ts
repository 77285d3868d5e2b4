/**
 * bench/lib/pacer.ts: the client's copy of the server's token bucket. A burst goes at
 * once; past it, `ready` waits until a token has come back at the rate, and requests
 * the browser sent count as taken. On fake timers: the test says what waits, not how fast.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Pacer } from '../../bench/lib/pacer';

describe('Pacer', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  /** Whether `ready(n)` resolved after advancing the clock by `ms`. */
  async function readyWithin(p: Pacer, n: number, ms: number): Promise<boolean> {
    let done = false;
    const waiting = p.ready(n).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(ms);
    const result = done;
    await vi.runAllTimersAsync();
    await waiting;
    return result;
  }

  it('lets a burst through at once, then one request per 1/rate seconds', async () => {
    const p = new Pacer(10, 3); // 10 a second, 3 at once
    expect(await readyWithin(p, 3, 0)).toBe(true);
    p.note(3);
    expect(await readyWithin(p, 1, 50)).toBe(false); // half a token back
    // It resolved once the token was back (100 ms); taking it empties the bucket again.
    p.note(1);
    expect(await readyWithin(p, 1, 99)).toBe(false);
    p.note(1);
    expect(await readyWithin(p, 1, 101)).toBe(true);
  });

  it('counts requests noted elsewhere (the browser) against the same bucket', async () => {
    const slow = new Pacer(100, 20);
    slow.note(20);
    expect(await readyWithin(slow, 20, 150)).toBe(false);
    const refilled = new Pacer(100, 20);
    refilled.note(20);
    expect(await readyWithin(refilled, 20, 201)).toBe(true);
    // Nothing noted: the whole burst is there.
    expect(await readyWithin(new Pacer(100, 20), 20, 0)).toBe(true);
  });
});
