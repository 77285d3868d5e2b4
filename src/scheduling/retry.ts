/** Exponential backoff with a cap and a maximum number of attempts. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 5_000, maxDelayMs: 5 * 60_000 };

/** Delay before attempt `next` (2, 3, …): base · 2^(next-2), capped. */
export function backoffMs(policy: RetryPolicy, next: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, next - 2));
}
