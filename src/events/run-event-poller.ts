/**
 * One reader of the run event log per process: it polls `WHERE id > cursor` (an index
 * range scan, cheap when nothing is new) and hands each new event to every GraphQL
 * subscriber through the fanout, so the cost is one query per interval whatever the
 * number of subscribers. Events written by any process (this server, a CLI run,
 * another instance, the sweep) arrive, since the table is the truth.
 */
import type { EventSource } from './run-events-fanout';
import type { RunEvent, RunEventLog } from '../store/run-event-log';

const PAGE = 500;

export interface PollerOptions {
  intervalMs: number;
  onError?: (err: unknown) => void;
}

/** An EventSource over the log: starts at the newest cursor when the first subscriber arrives. */
export function runEventLogSource(log: RunEventLog, opts: PollerOptions): EventSource<RunEvent> {
  return (deliver) => {
    let stopped = false;
    let timer: NodeJS.Timeout | null = null;
    let cursor: number | null = null;
    const tick = async () => {
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
        if (!stopped) timer = setTimeout(() => void tick(), opts.intervalMs);
      }
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  };
}
