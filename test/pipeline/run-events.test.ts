/**
 * The run event bus: `publish` carries this runtime's own status changes to every
 * listener; `relay` carries those of runs another thread of the process executed (the
 * run thread of `serve --role all`) to `subscribeAll` listeners only, since the other
 * thread's runtime already counted, emitted and synced them.
 */
import { describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/run';
import { RunEventBus } from '../../src/pipeline/run-events';
import { makeRun } from '../support/fixtures';

describe('RunEventBus', () => {
  it('relay reaches subscribeAll listeners and not subscribe listeners; publish reaches both', () => {
    const bus = new RunEventBus();
    const own: Run[] = [];
    const all: Run[] = [];
    bus.subscribe((run) => own.push(run));
    bus.subscribeAll((run) => all.push(run));
    const relayed = makeRun({ status: 'running' });
    const published = makeRun({ status: 'succeeded' });

    bus.relay(relayed);
    bus.publish(published);

    expect(own.map((r) => r.id)).toEqual([published.id]);
    expect(all.map((r) => `${r.id}:${r.status}`)).toEqual([
      `${relayed.id}:running`,
      `${published.id}:succeeded`,
    ]);
  });

  it("subscribeAll's unsubscribe stops both the published and the relayed events", () => {
    const bus = new RunEventBus();
    const all: Run[] = [];
    const stop = bus.subscribeAll((run) => all.push(run));
    stop();

    bus.relay(makeRun());
    bus.publish(makeRun());

    expect(all).toEqual([]);
  });
});
