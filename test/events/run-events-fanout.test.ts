/**
 * The per-process fan-out of run status events: order, filters, unsubscribing, one
 * source subscription for many subscribers, bounded queues, failures.
 */
import { describe, expect, it } from 'vitest';
import {
  EventFanout,
  iterableSource,
  MAX_PENDING,
  type EventSource,
} from '../../src/events/run-events-fanout';

/** A source the test drives by hand, counting how often it is opened and stopped. */
function manual() {
  const state = { opened: 0, stopped: 0, deliver: (_e: number) => {}, fail: (_e: unknown) => {} };
  const source: EventSource<number> = (deliver, fail) => {
    state.opened++;
    state.deliver = deliver;
    state.fail = fail;
    return () => void state.stopped++;
  };
  return { state, source };
}

const take = async (it: AsyncIterator<number>, n: number) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await it.next()).value as number);
  return out;
};

describe('EventFanout', () => {
  it('delivers every accepted event to every subscriber, in order, from one source subscription', async () => {
    const { state, source } = manual();
    const fan = new EventFanout(source);
    const all = fan.subscribe(() => true);
    const even = fan.subscribe((e) => e % 2 === 0);
    expect(state.opened).toBe(1);
    for (const e of [1, 2, 3, 4]) state.deliver(e);
    expect(await take(all, 4)).toEqual([1, 2, 3, 4]);
    expect(await take(even, 2)).toEqual([2, 4]);
  });

  it('resolves a waiting next() on the next event and sees only events after subscribing', async () => {
    const { state, source } = manual();
    const fan = new EventFanout(source);
    const first = fan.subscribe(() => true);
    state.deliver(1);
    const late = fan.subscribe(() => true);
    const pending = late.next();
    state.deliver(2);
    expect(await pending).toEqual({ value: 2, done: false });
    expect(await take(first, 2)).toEqual([1, 2]);
  });

  it('removes a subscriber when its iterator returns, and stops the source with the last one', async () => {
    const { state, source } = manual();
    const fan = new EventFanout(source);
    const a = fan.subscribe(() => true);
    const b = fan.subscribe(() => true);
    const waiting = a.next();
    await a.return!();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(fan.size).toBe(1);
    expect(state.stopped).toBe(0);
    await b.return!();
    expect(state.stopped).toBe(1);
    fan.subscribe(() => true);
    expect(state.opened).toBe(2);
  });

  it('ends a subscriber that falls too far behind with an error, after what it had', async () => {
    const { state, source } = manual();
    const fan = new EventFanout(source);
    const slow = fan.subscribe(() => true);
    const other = fan.subscribe((e) => e === 0);
    for (let i = 0; i <= MAX_PENDING; i++) state.deliver(i);
    expect(fan.size).toBe(1);
    expect((await take(slow, MAX_PENDING)).at(-1)).toBe(MAX_PENDING - 1);
    await expect(slow.next()).rejects.toThrow(/fell more than 1024 events behind/);
    expect((await other.next()).value).toBe(0);
  });

  it('fails a subscriber whose filter throws, and every subscriber when the source fails', async () => {
    const { state, source } = manual();
    const fan = new EventFanout(source);
    const bad = fan.subscribe(() => {
      throw new Error('filter broke');
    });
    const good = fan.subscribe(() => true);
    state.deliver(1);
    await expect(bad.next()).rejects.toThrow('filter broke');
    expect(await good.next()).toEqual({ value: 1, done: false });
    state.fail(new Error('source broke'));
    await expect(good.next()).rejects.toThrow('source broke');
  });

  it('ends every subscription on close', async () => {
    const { state, source } = manual();
    const fan = new EventFanout(source);
    const a = fan.subscribe(() => true);
    fan.close();
    expect(await a.next()).toEqual({ value: undefined, done: true });
    expect(state.stopped).toBe(1);
    expect(await fan.subscribe(() => true).next()).toEqual({ value: undefined, done: true });
  });

  it('reads an async iterable source from the moment it opens and returns it when stopped', async () => {
    let returned = false;
    const events = [1, 2, 3];
    const iterable: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => (events.length ? { value: events.shift()!, done: false } : new Promise(() => {})),
        return: async () => {
          returned = true;
          return { value: undefined, done: true };
        },
      }),
    };
    const fan = new EventFanout(iterableSource(() => iterable));
    const sub = fan.subscribe(() => true);
    expect(await take(sub, 3)).toEqual([1, 2, 3]);
    await sub.return!();
    expect(returned).toBe(true);
  });
});
