/**
 * Groups messages into micro-batches that close on a count or a time window, the
 * contract's `source.batch.maxRecords` and `source.batch.maxWait`: a batch closes as
 * soon as it holds maxRecords messages, or maxWait after its first message arrived,
 * whichever comes first. The window is wall-clock time (it paces a live stream), not
 * the injected business clock.
 */
import { parseIsoDuration } from '../lib/duration';
import type { SourceSpec } from '../domain/contract';

export const DEFAULT_MAX_RECORDS = 1000;
export const DEFAULT_MAX_WAIT_MS = 1000;

export interface BatchWindow {
  maxRecords: number;
  maxWaitMs: number;
}

export function batchWindowOf(source: SourceSpec, maxInFlight: number): BatchWindow {
  const maxRecords = source.batch?.maxRecords ?? DEFAULT_MAX_RECORDS;
  return {
    // A batch larger than what may be held in memory would never fill up.
    maxRecords: Math.max(1, Math.min(maxRecords, maxInFlight)),
    maxWaitMs: source.batch?.maxWait ? parseIsoDuration(source.batch.maxWait) : DEFAULT_MAX_WAIT_MS,
  };
}

export class MicroBatcher<T> {
  private items: T[] = [];
  private firstAt = 0;
  private wake: (() => void) | null = null;

  constructor(
    private window: BatchWindow,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.items.length;
  }

  configure(window: BatchWindow): void {
    this.window = window;
    this.notify();
  }

  push(item: T): void {
    const first = this.items.length === 0;
    if (first) this.firstAt = this.now();
    this.items.push(item);
    // The first message starts the window; a full batch closes it.
    if (first || this.items.length >= this.window.maxRecords) this.notify();
  }

  /** Drops everything not yet handed out (their messages were never acknowledged). */
  clear(): number {
    const n = this.items.length;
    this.items = [];
    return n;
  }

  /** Resolves with the next closed batch, or null once `signal` aborts. */
  async next(signal: AbortSignal): Promise<T[] | null> {
    while (!signal.aborted) {
      if (this.items.length >= this.window.maxRecords) return this.take();
      const left = this.items.length > 0 ? this.firstAt + this.window.maxWaitMs - this.now() : Infinity;
      if (left <= 0) return this.take();
      await this.sleep(left, signal);
    }
    return null;
  }

  private take(): T[] {
    const batch = this.items.slice(0, this.window.maxRecords);
    this.items = this.items.slice(batch.length);
    if (this.items.length > 0) this.firstAt = this.now();
    return batch;
  }

  /** Waits for `ms`, a push that fills the batch, the first push into an empty one, or the abort. */
  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      signal.addEventListener('abort', done);
      this.wake = done;
    });
  }

  private notify(): void {
    this.wake?.();
  }
}
