/**
 * Session plumbing for a consumer: keep a broker session going (reopen it after a
 * growing delay when it breaks), and run the loops that share it side by side, so
 * that one failing stops the others and the session ends only once all have.
 */
import { sleep } from './signals';

const MAX_RESTART_DELAY_MS = 30_000;

export interface SupervisorOptions {
  stopping: AbortSignal;
  /** First delay before reopening; doubles up to 30 s while sessions keep failing. */
  restartDelayMs: number;
  /** Called after each session, with its error (undefined when it ended because of `stopping`). */
  ended(err: unknown): void;
}

export async function superviseSessions(
  runSession: () => Promise<void>,
  o: SupervisorOptions,
): Promise<void> {
  let delay = o.restartDelayMs;
  while (!o.stopping.aborted) {
    const started = Date.now();
    let error: unknown;
    try {
      await runSession();
    } catch (err) {
      error = err;
    }
    o.ended(error);
    // A session that lasted a while was healthy: the next failure starts the backoff over.
    if (Date.now() - started > MAX_RESTART_DELAY_MS) delay = o.restartDelayMs;
    await sleep(delay, o.stopping);
    delay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
  }
}

/** Runs `loops` together until `stopping` aborts or one fails; rethrows the first failure once all are done. */
export async function runSideBySide(
  loops: Array<(abort: AbortSignal) => Promise<void>>,
  stopping: AbortSignal,
): Promise<void> {
  const ctrl = new AbortController();
  const onStop = () => ctrl.abort();
  stopping.addEventListener('abort', onStop);
  if (stopping.aborted) ctrl.abort();
  try {
    const results = await Promise.allSettled(
      loops.map((loop) =>
        loop(ctrl.signal).catch((err: unknown) => {
          ctrl.abort();
          throw err;
        }),
      ),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    stopping.removeEventListener('abort', onStop);
  }
}
