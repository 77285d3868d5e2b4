/** Time and identity come in through parameters so tests control them. */
import { randomUUID } from 'node:crypto';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told: for tests of time travel and schedules. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    this.t = t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export type IdGenerator = (prefix: string) => string;

/** `run_…`, `raw_…`: prefixed so an id says what it names in logs and URLs. */
export const randomIds: IdGenerator = (prefix) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
