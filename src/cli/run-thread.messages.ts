/** What the serving thread and its run thread (run-thread.ts, run-thread.worker.ts) say to each other. */
import type { Run } from '../domain/run';

export type ToRunThread =
  /** Runs of this lane were queued: look now rather than at the next poll. */
  | { type: 'kick'; contract: string; environment: string }
  /** Finish the runs in flight, close the runtime and end. */
  | { type: 'stop' };

export type FromRunThread =
  /** The first sweep is done and queued runs are being executed. */
  | { type: 'started' }
  /** A status change of a run the thread executes. */
  | { type: 'run'; run: Run }
  /** Start-up failed (the thread ends once told to stop). */
  | { type: 'failed'; error: string };
