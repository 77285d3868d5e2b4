import { describe, expect, it } from 'vitest';
import { runEventLogSource } from '../../src/events/run-event-poller';
import type { RunEvent, RunEventLog } from '../../src/store/run-event-log';

/** A log in memory whose reads can be held open, to place a write in the middle of one. */
function memoryLog() {
  const events: RunEvent[] = [];
  let hold: Promise<void> | null = null;
  let reads = 0;
  const log = {
    latestCursor: async () => (events.length ? Number(events.at(-1)!.eventCursor) : 0),
    after: async (cursor: number, limit: number) => {
      reads++;
      const snapshot = events.filter((e) => Number(e.eventCursor) > cursor).slice(0, limit);
      if (hold) await hold;
      return snapshot;
    },
  } as unknown as RunEventLog;
  return {
    log,
    reads: () => reads,
    write: (id: string) => events.push({ id, eventCursor: String(events.length + 1) } as RunEvent),
    holdReads: () => {
      let release!: () => void;
      hold = new Promise((r) => (release = r));
      return () => ((hold = null), release());
    },
  };
}

const HOUR = 3_600_000;
const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
};

/** A source over `log` polling hourly, so only a nudge makes it read; what it delivered, in order. */
function woken(log: RunEventLog) {
  let wake = () => {};
  const got: string[] = [];
  const stop = runEventLogSource(log, { intervalMs: HOUR, wake: (n) => ((wake = n), () => {}) })(
    (e) => got.push(e.id),
    () => {},
  );
  return { got, nudge: () => wake(), stop };
}

describe('runEventLogSource', () => {
  it('reads at once when woken, not at the next interval', async () => {
    const m = memoryLog();
    const { got, nudge, stop } = woken(m.log);
    await until(() => m.reads() === 1); // the first read found the log empty; the next timer is an hour away
    m.write('run_a');
    nudge();
    await until(() => got.length === 1);
    expect(got).toEqual(['run_a']);
    stop();
  });

  it('reads again after a read that began before the write it was woken for', async () => {
    const m = memoryLog();
    const { got, nudge, stop } = woken(m.log);
    await until(() => m.reads() === 1);
    const release = m.holdReads();
    nudge(); // a read starts and takes its snapshot before the write
    await until(() => m.reads() === 2);
    m.write('run_b');
    nudge(); // arrives while that read is still under way
    release();
    await until(() => got.length === 1);
    expect(got).toEqual(['run_b']);
    expect(m.reads()).toBe(3);
    stop();
  });

  it('without wake, waits for its interval; stopping ends the wake subscription', async () => {
    const m = memoryLog();
    let unsubscribed = false;
    const got: string[] = [];
    const stop = runEventLogSource(m.log, { intervalMs: 20, wake: () => () => (unsubscribed = true) })(
      (e) => got.push(e.id),
      () => {},
    );
    await until(() => m.reads() === 1);
    m.write('run_c');
    await until(() => got.length === 1);
    expect(got).toEqual(['run_c']);
    stop();
    expect(unsubscribed).toBe(true);
  });
});
