/**
 * A run's CPU work, in slices. Runs execute on the thread that answers requests: a
 * stretch of work that never waits holds every request, /healthz and the run's own
 * lease heartbeat until it ends (a 5,000-feature contract's ingest blocked /healthz
 * for 36.8 s). So the stages work in slices of a few milliseconds: their loops ask
 * `due()` now and then and, once the slice is used up, `await pause()`, which lets
 * pending I/O and timers run (setImmediate: after the poll phase) before the next
 * slice. A run takes a little longer; everyone else waits a slice at most.
 *
 * Synchronous work that wants pause points without an async caller is written as a
 * generator that yields where it may pause: `finish` runs it straight through,
 * `finishInSlices` pauses at those points when the slice is used up.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

/** How long a run works before it lets the event loop turn. */
export const SLICE_MS = 10;

/**
 * Rows a loop covers between two looks at the clock (or pause points): a row of the
 * widest contract allowed costs tens of microseconds in a stage, so a slice overruns
 * by a few milliseconds at most.
 */
export const ROWS_PER_LOOK = 256;

/**
 * Cells (rows × features) a batch of feature rows holds at most: building, hashing and
 * serialising a row of 500 features takes a few hundred microseconds, so batches of
 * such rows are a few rows long, and batches of narrow rows ROWS_PER_LOOK.
 */
export const CELLS_PER_BATCH = 4096;

/** Rows per batch for rows of `width` cells. */
export function rowsPerBatch(width: number): number {
  return Math.max(1, Math.min(ROWS_PER_LOOK, Math.floor(CELLS_PER_BATCH / Math.max(1, width))));
}

export class Slicer {
  private started = performance.now();
  /** Pauses taken so far (logged with the run's timings). */
  pauses = 0;

  constructor(private readonly sliceMs = SLICE_MS) {}

  /** Whether the current slice is used up; cheap, but loops over rows ask every few hundred rows. */
  due(): boolean {
    return performance.now() - this.started >= this.sliceMs;
  }

  /** Lets the event loop turn (I/O, timers, other requests), then starts a new slice. */
  async pause(): Promise<void> {
    await nextTurn();
    this.pauses++;
    this.started = performance.now();
  }

  /** Pauses if the slice is used up. */
  async maybePause(): Promise<void> {
    if (this.due()) await this.pause();
  }
}

/** Work that yields (nothing) where it may pause and returns its result. */
export type SlicedWork<T> = Generator<void, T, void>;

/** Runs the work straight through, for callers that are synchronous. */
export function finish<T>(work: SlicedWork<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/** Runs the work, pausing at its pause points whenever the slice is used up. */
export async function finishInSlices<T>(work: SlicedWork<T>, slicer: Slicer): Promise<T> {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    if (slicer.due()) await slicer.pause();
  }
}
