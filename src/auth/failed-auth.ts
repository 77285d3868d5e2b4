/**
 * Failed authentication, limited: per subject (a client address, a key id) the first
 * `free` failures cost nothing; each further failure blocks the subject for `baseMs`,
 * doubling with every failure up to `maxMs`. A subject's failures are forgotten
 * `forgetMs` after its last one; a key's are also forgotten when it authenticates
 * (an address's are not, so one good key cannot clear the record of guessing from
 * there). Attempts while blocked are refused before the key is looked at and do not
 * extend the block, so the wait the caller is told is the wait it gets.
 *
 * In memory, per instance, on the system clock (how fast attempts arrive, not what time
 * the data is about). Memory is bounded: past `maxSubjects` the oldest are dropped.
 */
import { systemClock, type Clock } from '../clock';

export interface FailedAuthPolicy {
  free: number;
  baseMs: number;
  maxMs: number;
  forgetMs: number;
  maxSubjects: number;
}

export const DEFAULT_FAILED_AUTH_POLICY: FailedAuthPolicy = {
  free: 10,
  baseMs: 1_000,
  maxMs: 5 * 60_000,
  forgetMs: 15 * 60_000,
  maxSubjects: 50_000,
};

interface Record {
  failures: number;
  last: number;
  blockedUntil: number;
}

export class FailedAuthLimiter {
  private readonly subjects = new Map<string, Record>();

  constructor(
    readonly policy: FailedAuthPolicy = DEFAULT_FAILED_AUTH_POLICY,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Milliseconds `subject` must still wait; 0 when it may try. */
  blockedFor(subject: string): number {
    const r = this.current(subject);
    return r ? Math.max(0, r.blockedUntil - this.clock.now()) : 0;
  }

  /** Records a failure; returns how long the subject is now blocked (0: not yet). */
  fail(subject: string): number {
    const now = this.clock.now();
    const r = this.current(subject) ?? { failures: 0, last: now, blockedUntil: 0 };
    r.failures += 1;
    r.last = now;
    const over = r.failures - this.policy.free;
    if (over > 0) {
      r.blockedUntil = now + Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** Math.min(over - 1, 30));
    }
    this.subjects.delete(subject); // re-inserted last: the Map's order is the eviction order
    this.subjects.set(subject, r);
    this.evict();
    return Math.max(0, r.blockedUntil - now);
  }

  forget(subject: string): void {
    this.subjects.delete(subject);
  }

  private current(subject: string): Record | undefined {
    const r = this.subjects.get(subject);
    if (r && this.clock.now() - r.last > this.policy.forgetMs && this.clock.now() >= r.blockedUntil) {
      this.subjects.delete(subject);
      return undefined;
    }
    return r;
  }

  private evict(): void {
    for (const subject of this.subjects.keys()) {
      if (this.subjects.size <= this.policy.maxSubjects) return;
      this.subjects.delete(subject);
    }
  }
}
