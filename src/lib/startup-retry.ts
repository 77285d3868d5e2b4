/**
 * Start-up steps that need the database (migrations, the contract sync, the first
 * sweep) are retried while the database is unavailable, for a bounded time: an
 * instance started beside a database that is restarting, failing over, or briefly
 * resetting connections comes up once it answers, instead of exiting on the first
 * refused connection and leaving its restart to a supervisor. Any other error (a bad
 * contract, a migration that fails) is not retried: it would fail the same way again.
 */
import type { Logger } from 'pino';
import { asUnavailable } from '../errors';

export interface StartupRetry {
  logger: Logger;
  /** How long to keep trying before the error is final (ms). */
  deadlineMs: number;
  /** Injected by tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

export async function whileUnavailable<T>(step: string, fn: () => Promise<T>, o: StartupRetry): Promise<T> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const until = now() + o.deadlineMs;
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const unavailable = asUnavailable(err);
      const left = until - now();
      if (!unavailable || left <= 0) throw err;
      const wait = Math.min(delay, left);
      o.logger.warn(
        { step, attempt, retryInMs: wait, error: unavailable.message },
        'database unavailable at start-up; retrying',
      );
      await sleep(wait);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}
