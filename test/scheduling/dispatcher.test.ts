/**
 * The run queue: runs wait in the database and execute one at a time per
 * (contract, environment), in queued order, whichever process claims them. Another
 * process (a second runtime on the same database) cannot claim a run of a lane while
 * a run of that lane is running; other lanes are not held up.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Run } from '../../src/domain/run';
import type { Runtime } from '../../src/runtime';
import { T } from '../../src/store/tables';
import { testEngine } from '../support/engine';
import {
  createManagedRuntime,
  day,
  endOfDay,
  enqueueRecords,
  maxConcurrent,
  recordEvents,
  valuesOf,
  waitForRun,
  type ManagedRuntime,
} from '../support/managed';

const contract = (name: string) => `
name: ${name}
version: 1.0.0
owner: tests
entity: { name: sensor, key: [sensor] }
eventTime: day
source: { type: push }
schema:
  - { name: day, type: date, required: true }
  - { name: sensor, type: string, required: true }
  - { name: reading, type: integer }
expectations: []
features:
  - { name: reading, column: reading }
  - { name: change, window: { op: diff, column: reading } }
`;

const rec = (d: number, reading: number, sensor = 'S') => [{ day: day(d), sensor, reading }];

/** Moves the shared clock inside every commit, so start and commit times tell runs apart. */
const tick = (rt: () => ManagedRuntime) => () => rt().clock.advance(1_000);

async function claimedBy(rt: Runtime, id: string): Promise<string | null> {
  const row = (await rt.store.db(T.runs).where({ id }).first('claimed_by')) as { claimed_by: string | null };
  return row.claimed_by;
}

/** The request the dispatcher would build for a queued run (for calling the executor directly). */
async function requestFor(rt: Runtime, run: Run) {
  return {
    contract: (await rt.store.contracts.findVersion(run.contractName, run.contractVersion))!,
    environment: run.environment,
    trigger: run.trigger,
    rawBatches: await rt.store.rawBatches.forRun(run.id),
    actor: run.createdBy,
  };
}

function expectSequential(runs: Run[]): void {
  for (let i = 1; i < runs.length; i++) {
    expect(runs[i]!.startedAt!).toBeGreaterThanOrEqual(runs[i - 1]!.finishedAt!);
    expect(runs[i]!.committedAt!).toBeGreaterThan(runs[i - 1]!.committedAt!);
  }
}

describe(`run dispatcher (${testEngine()})`, () => {
  let rt: ManagedRuntime;
  beforeEach(async () => {
    rt = await createManagedRuntime({
      contracts: [contract('sensor'), contract('other')],
      writeHook: tick(() => rt),
    });
  });
  afterEach(() => rt.dispose());

  it('executes the queued runs of one lane one at a time, in queued order', async () => {
    const queued: Run[] = [];
    for (const [d, reading] of [
      [1, 10],
      [2, 15],
      [3, 21],
    ] as const) {
      queued.push(await enqueueRecords(rt, 'sensor', rec(d, reading)));
      rt.clock.advance(1_000);
    }
    const log = recordEvents(rt);

    rt.dispatcher.kick('sensor', 'dev');
    const done = [];
    for (const q of queued) done.push(await waitForRun(rt, q.id));

    expect(done.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(log.events.map((e) => `${e.id}:${e.status}`)).toEqual(
      queued.flatMap((q) => [`${q.id}:running`, `${q.id}:succeeded`]),
    );
    expect(maxConcurrent(log.events)).toBe(1);
    expectSequential(done);
    // Each run saw the one before it: the windows continue in queued order.
    expect((await valuesOf(rt, 'sensor', 'S', { asOf: endOfDay(2) })).values).toEqual({
      reading: 15,
      change: 5,
    });
    expect((await valuesOf(rt, 'sensor', 'S')).values).toEqual({ reading: 21, change: 6 });
  });

  it('submit waits for the runs queued before it, then answers with its own end state', async () => {
    const first = await enqueueRecords(rt, 'sensor', rec(1, 10));
    const second = await enqueueRecords(rt, 'sensor', rec(2, 12));

    const third = await rt.runs.ingest({
      contract: 'sensor',
      environment: 'dev',
      records: rec(3, 20),
      actor: 'test',
    });

    expect(third.status).toBe('succeeded');
    const [a, b] = await rt.store.runs
      .getMany([first.id, second.id])
      .then((rs) => rs.sort((x, y) => (x.id < y.id ? -1 : 1)));
    expect([a!.status, b!.status]).toEqual(['succeeded', 'succeeded']);
    expectSequential([a!, b!, third]);
    expect((await valuesOf(rt, 'sensor', 'S')).values).toEqual({ reading: 20, change: 8 });
  });

  it('a delayed run (notBefore in the future) waits while later runs of the lane do not jump ahead of it', async () => {
    const batch = await enqueueRecords(rt, 'sensor', rec(1, 10));
    await rt.store.runs.update(batch.id, { notBefore: rt.clock.now() + 60_000 });
    const later = await enqueueRecords(rt, 'sensor', rec(2, 12));

    rt.dispatcher.kick('sensor', 'dev');
    // The delayed run is not due: the next due run of the lane goes first.
    expect((await waitForRun(rt, later.id)).status).toBe('succeeded');
    expect((await rt.store.runs.get(batch.id))!.status).toBe('queued');

    rt.clock.advance(60_000);
    rt.dispatcher.kick('sensor', 'dev');
    expect((await waitForRun(rt, batch.id)).status).toBe('succeeded');
  });

  it('a lane busy in another process does not hold up the lanes of other contracts', async () => {
    const elsewhere = await enqueueRecords(rt, 'other', rec(1, 1));
    const now = rt.clock.now();
    expect(await rt.store.runs.claim(elsewhere, 'instance-elsewhere', now, now + 3_600_000)).toBe(true);
    const blocked = await enqueueRecords(rt, 'other', rec(2, 2));
    const free = await enqueueRecords(rt, 'sensor', rec(1, 10));

    rt.dispatcher.kick('other', 'dev');
    rt.dispatcher.kick('sensor', 'dev');

    expect((await waitForRun(rt, free.id)).status).toBe('succeeded');
    expect((await rt.store.runs.get(blocked.id))!.status).toBe('queued');
    // The claim is refused for as long as the other process's run is running.
    expect(await rt.executor.execute(blocked, await requestFor(rt, blocked))).toMatchObject({
      status: 'queued',
    });
    expect(await claimedBy(rt, blocked.id)).toBeNull();
  });
});

describe(`run dispatcher across processes (${testEngine()})`, () => {
  let rt: ManagedRuntime;
  let peer: Runtime;
  let peerHook: () => Promise<void> | void = () => {};
  beforeEach(async () => {
    rt = await createManagedRuntime({ contracts: [contract('sensor')], writeHook: tick(() => rt) });
    peer = await rt.peer({
      instanceId: 'instance-2',
      writeHook: async (stage) => {
        if (stage === 'features') await peerHook();
        rt.clock.advance(1_000);
      },
    });
  });
  afterEach(async () => {
    peerHook = () => {};
    await rt.dispose();
  });

  it('a second process cannot claim a run of the lane while the first one runs a run of it', async () => {
    const x = await enqueueRecords(rt, 'sensor', rec(1, 10));
    const y = await enqueueRecords(rt, 'sensor', rec(2, 15));
    const seen: Array<{ claim: boolean; executed: string; xStatus: string }> = [];
    peerHook = async () => {
      if (seen.length > 0) return;
      // Inside the peer's commit of x: x is running, claimed by instance-2.
      const now = rt.clock.now();
      const yNow = (await rt.store.runs.get(y.id))!;
      const claim = await rt.store.runs.claim(yNow, 'instance-1', now, now + 60_000);
      const executed = await rt.executor.execute(yNow, await requestFor(rt, yNow));
      seen.push({ claim, executed: executed.status, xStatus: (await rt.store.runs.get(x.id))!.status });
    };
    const log = recordEvents(rt, peer);

    const xDone = await peer.dispatcher.submit(x);

    expect(xDone.status, xDone.error ?? '').toBe('succeeded');
    expect(seen).toEqual([{ claim: false, executed: 'queued', xStatus: 'running' }]);
    expect(await claimedBy(rt, x.id)).toBe('instance-2');

    rt.dispatcher.kick('sensor', 'dev');
    const yDone = await waitForRun(rt, y.id);
    expect(yDone.status).toBe('succeeded');
    expect(['instance-1', 'instance-2']).toContain(await claimedBy(rt, y.id));
    expect(maxConcurrent(log.events)).toBe(1);
    expectSequential([xDone, yDone]);
    expect((await valuesOf(rt, 'sensor', 'S')).values).toEqual({ reading: 15, change: 5 });
  });

  it('two processes draining one lane together still run it one at a time in queued order', async () => {
    const queued: Run[] = [];
    for (let d = 1; d <= 4; d++) {
      queued.push(await enqueueRecords(rt, 'sensor', rec(d, d * d)));
      rt.clock.advance(1_000);
    }
    const log = recordEvents(rt, peer);

    rt.dispatcher.kick('sensor', 'dev');
    peer.dispatcher.kick('sensor', 'dev');
    const done = [];
    for (const q of queued) done.push(await waitForRun(rt, q.id));

    expect(done.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(maxConcurrent(log.events)).toBe(1);
    expect(log.events.filter((e) => e.status === 'running').map((e) => e.id)).toEqual(
      queued.map((q) => q.id),
    );
    expectSequential(done);
    expect((await valuesOf(rt, 'sensor', 'S')).values).toEqual({ reading: 16, change: 7 });
  });
});

describe(`non-executing run dispatcher, as serve --role all's serving thread (${testEngine()})`, () => {
  let rt: ManagedRuntime;
  beforeEach(async () => {
    rt = await createManagedRuntime({ contracts: [contract('sensor')], role: 'api' });
  });
  afterEach(() => rt.dispose());

  /** Whether `p` has settled by the time the event loop has turned a few times. */
  async function settledSoon(p: Promise<unknown>): Promise<boolean> {
    let settled = false;
    void p.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 50));
    return settled;
  }

  it('hands each submitted run over with its contract and environment, and executes none', async () => {
    const handed: Array<[string, string]> = [];
    rt.dispatcher.handOff((c, e) => handed.push([c, e]));
    const queued = await enqueueRecords(rt, 'sensor', rec(1, 10));

    const answer = rt.dispatcher.submit(queued);

    expect(handed).toEqual([['sensor', 'dev']]);
    expect(await settledSoon(answer)).toBe(false);
    expect((await rt.store.runs.get(queued.id))!.status).toBe('queued');
    expect(rt.executor.isExecuting(queued.id)).toBe(false);
    // The lane's own recheck (the run is still queued, 1 s later) looks at the store again
    // without handing the lane over a second time.
    const looks = vi.spyOn(rt.store.runs, 'getMany');
    await vi.waitFor(() => expect(looks).toHaveBeenCalled(), { timeout: 5_000, interval: 50 });
    expect(handed).toEqual([['sensor', 'dev']]);
  });

  it('finishedElsewhere answers the waiters of a run with its end state, not with a status on the way', async () => {
    const queued = await enqueueRecords(rt, 'sensor', rec(1, 10));
    const answer = rt.dispatcher.submit(queued);

    rt.dispatcher.finishedElsewhere({ ...queued, status: 'running', startedAt: rt.clock.now() });
    expect(await settledSoon(answer)).toBe(false);

    // The store still says queued: only the message can have answered.
    const finished: Run = { ...queued, status: 'succeeded', finishedAt: rt.clock.now() };
    rt.dispatcher.finishedElsewhere(finished);
    expect(await settledSoon(answer)).toBe(true);
    expect(await answer).toBe(finished);
    expect((await rt.store.runs.get(queued.id))!.status).toBe('queued');
  });
});
