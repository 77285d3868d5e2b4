/**
 * `serve --role`: an `api` instance queues the runs it is asked for and never executes
 * one; a `worker` instance on the same database claims and executes them, and the api's
 * caller gets the finished run. The database is the only channel between the two.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/run';
import { testEngine } from '../support/engine';
import {
  createManagedRuntime,
  day,
  listRuns,
  recordEvents,
  valuesOf,
  waitForRun,
  type ManagedRuntime,
} from '../support/managed';

const SENSOR = `
name: sensor
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
`;

const records = [
  { day: day(1), sensor: 's1', reading: 3 },
  { day: day(2), sensor: 's1', reading: 5 },
];

describe(`serve roles (${testEngine()})`, () => {
  let api: ManagedRuntime;
  beforeEach(async () => {
    api = await createManagedRuntime({ contracts: [SENSOR], role: 'api', instanceId: 'api-1' });
    await api.dispatcher.start();
  });
  afterEach(() => api.dispose());

  /** Starts an ingest through the api and returns its queued run (and the caller's pending answer). */
  async function ingestThroughApi(): Promise<{ queued: Run; answer: Promise<Run> }> {
    const answer = api.runs.ingest({ contract: 'sensor', environment: 'dev', records, actor: 'test' });
    let queued: Run | undefined;
    while (!queued) queued = (await listRuns(api, { contract: 'sensor' }))[0];
    return { queued, answer };
  }

  it('an api instance queues an ingest but never executes it, even when its lane is kicked', async () => {
    const { queued } = await ingestThroughApi();
    api.dispatcher.kick('sensor', 'dev');
    await api.dispatcher.sweep();
    // Long enough for a local lane to have claimed it many times over (claiming is one statement).
    await new Promise((r) => setTimeout(r, 500));
    const run = (await api.store.runs.get(queued.id))!;
    expect(run.status).toBe('queued');
    expect(run.startedAt).toBeNull();
    expect(api.executor.isExecuting(queued.id)).toBe(false);
  });

  it('a worker on the same database picks the run up within its poll; the api caller gets it finished', async () => {
    const worker = await api.peer({ instanceId: 'worker-1', role: 'worker', pollQueueMs: 50 });
    // Each bus carries the runs its own process executes.
    const onWorker = recordEvents(worker);
    const onApi = recordEvents(api);
    // Started first, with an empty queue: it finds the run by its poll, not by its start-up sweep.
    await worker.dispatcher.start();
    const { queued, answer } = await ingestThroughApi();
    const done = await waitForRun(api, queued.id);
    onWorker.stop();
    onApi.stop();
    expect(done.status).toBe('succeeded');
    expect(onWorker.events.filter((e) => e.id === queued.id).map((e) => e.status)).toEqual([
      'running',
      'succeeded',
    ]);
    expect(onApi.events.filter((e) => e.id === queued.id && e.status === 'running')).toEqual([]);
    // The api's caller learns the end state from the database (it polls while it waits).
    const answered = await answer;
    expect(answered.id).toBe(queued.id);
    expect(answered.status).toBe('succeeded');
    expect((await valuesOf(api, 'sensor', 's1')).values).toEqual({ reading: 5 });
  });
});
