/**
 * One subscription to the run-status topic per process, fanned out to every GraphQL
 * subscriber through a plain queue with its filter applied inline. The pubsub's own
 * per-subscriber path (an EventTarget listener, a Repeater, a filtering Repeater
 * piped behind it) costs far more per event and subscriber than the work itself, and
 * with a thousand subscribers that is what a status change waited for.
 *
 * Same guarantees as before: a subscriber sees every matching event published after
 * it subscribed, in publication order; returning its iterator (the client completes
 * or goes away) removes it at once. A subscriber that falls more than MAX_PENDING
 * events behind is ended with an error rather than buffered without bound, as the
 * Repeater refused more than 1024 pending pushes.
 */
export const MAX_PENDING = 1024;

export class SubscriberOverflowError extends Error {
  constructor() {
    super(`subscriber fell more than ${MAX_PENDING} events behind; subscribe again`);
  }
}

interface Subscriber<T> {
  accept(event: T): boolean;
  queue: EventQueue<T>;
}

/** Starts delivering events (and source failures); returns what stops it. */
export type EventSource<T> = (deliver: (event: T) => void, fail: (err: unknown) => void) => () => void;

export class EventFanout<T> {
  private readonly subscribers = new Set<Subscriber<T>>();
  private stop: (() => void) | null = null;
  private closed = false;

  /** `open` subscribes to the topic when the first subscriber arrives; its stop runs when the last leaves. */
  constructor(private readonly open: EventSource<T>) {}

  get size(): number {
    return this.subscribers.size;
  }

  /** The events `accept` takes, from now on, until the iterator is returned. */
  subscribe(accept: (event: T) => boolean): AsyncIterableIterator<T> {
    const sub: Subscriber<T> = {
      accept,
      queue: new EventQueue<T>(() => {
        if (this.subscribers.delete(sub) && this.subscribers.size === 0) this.stopSource();
      }),
    };
    if (this.closed) {
      sub.queue.end();
      return sub.queue;
    }
    this.subscribers.add(sub);
    if (!this.stop) {
      let live = true;
      const stop = this.open(
        (event) => live && this.deliver(event),
        (err) => {
          if (!live) return;
          live = false;
          this.stop = null;
          for (const s of [...this.subscribers]) s.queue.fail(err);
        },
      );
      if (live)
        this.stop = () => {
          live = false;
          stop();
        };
    }
    return sub.queue;
  }

  /** Ends every subscription and the source. */
  close(): void {
    this.closed = true;
    for (const sub of [...this.subscribers]) sub.queue.end();
    this.stopSource();
  }

  private deliver(event: T): void {
    for (const sub of this.subscribers) {
      let take: boolean;
      try {
        take = sub.accept(event);
      } catch (err) {
        sub.queue.fail(err);
        continue;
      }
      if (take) sub.queue.push(event);
    }
  }

  private stopSource(): void {
    const stop = this.stop;
    this.stop = null;
    stop?.();
  }
}

/**
 * An async iterable (a pubsub topic) as an EventSource: iterated from the moment the
 * source opens (so its listener is attached before the first subscriber gets its
 * iterator back), returned when it stops.
 */
export function iterableSource<T>(subscribe: () => AsyncIterable<T>): EventSource<T> {
  return (deliver, fail) => {
    const it = subscribe()[Symbol.asyncIterator]();
    let stopped = false;
    void (async () => {
      try {
        for (;;) {
          const r = await it.next();
          if (r.done || stopped) return;
          deliver(r.value);
        }
      } catch (err) {
        if (!stopped) fail(err);
      }
    })();
    return () => {
      stopped = true;
      void it.return?.();
    };
  };
}

/** A single-consumer async queue: push never waits, next resolves in push order. */
class EventQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private waiting: Array<{ resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }> = [];
  private done = false;
  private error: unknown = null;

  constructor(private readonly onEnd: () => void) {}

  push(event: T): void {
    if (this.done) return;
    const w = this.waiting.shift();
    if (w) w.resolve({ value: event, done: false });
    else if (this.items.length >= MAX_PENDING) this.fail(new SubscriberOverflowError());
    else this.items.push(event);
  }

  /** Ends the subscription with an error, after what was already queued. */
  fail(err: unknown): void {
    if (this.done) return;
    this.error = err;
    this.finish();
    for (const w of this.waiting.splice(0)) w.reject(err);
  }

  /** Ends the subscription normally. */
  end(): void {
    if (this.done) return;
    this.finish();
    for (const w of this.waiting.splice(0)) w.resolve({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.done) {
      if (this.error !== null) {
        const err = this.error;
        this.error = null;
        return Promise.reject(err);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.items = [];
    this.error = null;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err?: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(err);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    this.done = true;
    this.onEnd();
  }
}
