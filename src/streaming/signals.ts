/** Small async primitives for the consumer loops: a wake-up signal and an abortable sleep. */

/**
 * Wakes every waiter on `notify()`. Callers check their condition synchronously right
 * before `wait()`, so a notify cannot slip in between and be lost.
 */
export class Signal {
  private readonly waiters = new Set<() => void>();

  wait(abort: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (abort.aborted) return resolve();
      const done = () => {
        this.waiters.delete(done);
        abort.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      abort.addEventListener('abort', done);
    });
  }

  notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** Resolves after `ms`, or at once when `abort` fires. */
export function sleep(ms: number, abort: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (abort.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      abort.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    abort.addEventListener('abort', done);
  });
}

/** `promise`, or `fallback` once `abort` fires first. */
export function orAbort<T>(promise: Promise<T>, abort: AbortSignal, fallback: T): Promise<T> {
  if (abort.aborted) return Promise.resolve(fallback);
  return new Promise((resolve, reject) => {
    const done = () => resolve(fallback);
    abort.addEventListener('abort', done, { once: true });
    promise.then(
      (v) => {
        abort.removeEventListener('abort', done);
        resolve(v);
      },
      (err: unknown) => {
        abort.removeEventListener('abort', done);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
