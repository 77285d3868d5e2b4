/**
 * A subscription that resumes: the events after the client's cursor (read from the
 * log), then the live ones, in cursor order and without duplicates. The live stream
 * is opened first, so nothing published while the replay is read is missed; live
 * events at or below the last replayed cursor are dropped. Without a cursor, "after"
 * is the newest event when the subscription opens.
 */
import type { EventFanout } from './run-events-fanout';
import { InputError } from '../errors';
import type { RunEvent, RunEventFilter, RunEventLog } from '../store/run-event-log';

const PAGE = 500;

export async function* replayThenLive(
  log: RunEventLog,
  fanout: EventFanout<RunEvent>,
  accept: (event: RunEvent) => boolean,
  after: number | null,
  filter: RunEventFilter,
): AsyncGenerator<RunEvent, void, void> {
  const live = fanout.subscribe(accept);
  try {
    // Without a cursor the subscription starts now: the newest cursor, read once the live
    // stream is open, so an event committed meanwhile is replayed rather than missed, and
    // one the process's reader has not handed out yet but committed before is not shown.
    let last = after ?? (await log.latestCursor());
    for (;;) {
      const page = await log.after(last, PAGE, filter);
      for (const e of page) {
        last = Number(e.eventCursor);
        yield e;
      }
      if (page.length < PAGE) break;
    }
    for await (const e of live) {
      if (Number(e.eventCursor) <= last) continue;
      last = Number(e.eventCursor);
      yield e;
    }
  } finally {
    await live.return?.();
  }
}

/** Parses a client's `after` cursor; throws a message naming the argument. */
export function parseCursor(after: string | null | undefined): number | null {
  if (after === null || after === undefined) return null;
  if (!/^\d{1,15}$/.test(after))
    throw new InputError(`after: "${after}" is not an event cursor (a whole number)`);
  return Number(after);
}
