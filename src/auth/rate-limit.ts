/**
 * A token bucket per caller: `ratePerSec` sustained, `burst` at once. In memory,
 * per instance: with N instances a caller gets up to N times the rate, which is
 * documented rather than hidden. It runs on the system clock on purpose: a test's
 * manual clock says what time the data is about, not how fast requests arrive.
 */
import { systemClock, type Clock } from '../clock';

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Takes one token; false when the caller is over its rate. */
  take(caller: string): boolean {
    const now = this.clock.now();
    const b = this.buckets.get(caller) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.ratePerSec);
    b.at = now;
    if (this.buckets.size > 10_000) this.buckets.clear(); // bounded memory under a flood of callers
    this.buckets.set(caller, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

/** Counts live subscriptions per caller, refusing past a maximum. */
export class SubscriptionCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  acquire(caller: string): boolean {
    const n = this.counts.get(caller) ?? 0;
    if (n >= this.max) return false;
    this.counts.set(caller, n + 1);
    return true;
  }

  release(caller: string): void {
    const n = (this.counts.get(caller) ?? 1) - 1;
    if (n <= 0) this.counts.delete(caller);
    else this.counts.set(caller, n);
  }
}
