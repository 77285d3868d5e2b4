/**
 * Copies SQLite's write-ahead log back into the database file off the write path.
 *
 * SQLite's own auto-checkpoint runs inside the commit that pushes the WAL past 1,000
 * pages, on the committing connection: a run whose 10,000 rows land on 7,000 index
 * pages of a large store paid ~200 ms of its ~450 ms write for copying those pages
 * back, after its rows were already durable. Connections here turn that off
 * (`wal_autocheckpoint = 0`) and this checkpointer does the same copy on a connection
 * of its own, a moment later: PASSIVE, so it never waits for or blocks a reader or the
 * writer, and the next commit does not wait for it either. The total work is the same;
 * a run's latency no longer includes it. Closing the last connection still checkpoints
 * the whole log (SQLite does that itself), so a CLI process leaves no WAL behind.
 */
import { statSync } from 'node:fs';
import type { Knex } from 'knex';

export interface CheckpointerOptions {
  /** How often the WAL's size is looked at; 0: never on its own (tests call `tick`). */
  everyMs: number;
  /** Below this many bytes of WAL, nothing is copied (SQLite's own threshold is 1,000 pages). */
  minWalBytes: number;
}

export const CHECKPOINT_DEFAULTS: CheckpointerOptions = { everyMs: 500, minWalBytes: 4 * 1024 * 1024 };

export interface Checkpointer {
  /** One look: checkpoints when the WAL holds at least `minWalBytes`. True when it copied. */
  tick(): Promise<boolean>;
  stop(): Promise<void>;
}

export function startCheckpointer(
  filename: string,
  open: () => Knex,
  opts: CheckpointerOptions = CHECKPOINT_DEFAULTS,
): Checkpointer {
  let conn: Knex | null = null;
  let running: Promise<boolean> | null = null;
  let stopped = false;

  const walBytes = (): number => {
    try {
      return statSync(`${filename}-wal`).size;
    } catch {
      return 0; // no WAL yet, or it was removed when the last connection closed
    }
  };

  const copy = async (): Promise<boolean> => {
    if (stopped || walBytes() < opts.minWalBytes) return false;
    conn ??= open();
    try {
      await conn.raw('PRAGMA wal_checkpoint(PASSIVE)');
      return true;
    } catch {
      // Busy (another process's checkpoint) or a transient I/O error: the log only stays
      // longer until the next look, and SQLite checkpoints it on close in any case.
      return false;
    }
  };

  const tick = (): Promise<boolean> => {
    // One checkpoint at a time: a slow copy is not stacked behind itself by the timer.
    running ??= copy().finally(() => (running = null));
    return running;
  };

  const timer = opts.everyMs > 0 ? setInterval(() => void tick(), opts.everyMs) : null;
  // A process with nothing else to do must be free to exit.
  timer?.unref();

  return {
    tick,
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
      await conn?.destroy();
      conn = null;
    },
  };
}
