/** Exponential backoff with a cap and a maximum number of attempts. */
export interface Backoff {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryPolicy extends Backoff {
  /**
   * Runs that failed on a full disk (errorKind `storage`). Space comes back when
   * someone frees it, not within seconds: retrying at the transient pace would only
   * re-read the batch and fail again. Absent: such runs follow the policy above.
   */
  storage?: Backoff;
}

/** A full disk: 1 min, 2, 4, 8, 16 min (about half an hour for an operator to free space). */
export const STORAGE_BACKOFF: Backoff = { maxAttempts: 6, baseDelayMs: 60_000, maxDelayMs: 30 * 60_000 };

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 5_000,
  maxDelayMs: 5 * 60_000,
  storage: STORAGE_BACKOFF,
};

/** The backoff for a run that failed with `errorKind`. */
export function backoffFor(policy: RetryPolicy, errorKind: string | null): Backoff {
  return errorKind === 'storage' ? (policy.storage ?? policy) : policy;
}

/** Delay before attempt `next` (2, 3, …): base · 2^(next-2), capped. */
export function backoffMs(policy: Backoff, next: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, next - 2));
}
