/**
 * One reader of the run event log per process: it polls `WHERE id > cursor` (an index
 * range scan, cheap when nothing is new) and hands each new event to every GraphQL
 * subscriber through the fanout, so the cost is one query per interval whatever the
 * number of subscribers. Events written by any process (this server, a CLI run,
 * another instance, the sweep) arrive, since the table is the truth.
 *
 * The interval bounds how late an event made elsewhere arrives. An event this process
 * publishes need not wait for it: `wake` tells the poller that something was just
 * written, and it reads at once (a read already under way is followed by another, so a
 * write it started too early to see is not left for the timer). Subscribers then hear of
 * a local run's status change in a few milliseconds instead of half an interval.
 */
import type { EventSource } from './run-events-fanout';
import type { RunEvent, RunEventLog } from '../store/run-event-log';

const PAGE = 500;

export interface PollerOptions {
  intervalMs: number;
  onError?: (err: unknown) => void;
  /** Calls `nudge` whenever this process has just written an event; returns what stops it. */
  wake?: (nudge: () => void) => () => void;
}

/** An EventSource over the log: starts at the newest cursor when the first subscriber arrives. */
export function runEventLogSource(log: RunEventLog, opts: PollerOptions): EventSource<RunEvent> {
  return (deliver) => {
    let stopped = false;
    let timer: NodeJS.Timeout | null = null;
    let cursor: number | null = null;
    let reading = false;
    let again = false;
    const tick = async () => {
      if (timer) clearTimeout(timer);
      timer = null;
      reading = true;
      try {
        if (cursor === null) cursor = await log.latestCursor();
        for (;;) {
          const events = await log.after(cursor, PAGE);
          for (const e of events) {
            if (stopped) return;
            cursor = Number(e.eventCursor);
            deliver(e);
          }
          if (events.length < PAGE) break;
        }
      } catch (err) {
        // The database may be briefly unreachable: keep the cursor and try again next tick.
        opts.onError?.(err);
      } finally {
        reading = false;
        if (!stopped) {
          const now = again;
          again = false;
          timer = setTimeout(() => void tick(), now ? 0 : opts.intervalMs);
        }
      }
    };
    const nudge = () => {
      if (stopped) return;
      if (reading) again = true;
      else void tick();
    };
    const unwake = opts.wake?.(nudge);
    void tick();
    return () => {
      stopped = true;
      unwake?.();
      if (timer) clearTimeout(timer);
    };
  };
}
