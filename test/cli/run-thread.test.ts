/**
 * `serve --role all`'s run thread (cli/run-thread.ts): the serving thread's
 * runtime is an `api` one that only queues; the thread opens its own runtime on the same
 * configuration (the data directory's SQLite file) and executes the runs. A run
 * triggered on the serving side is answered from the thread's status changes, which
 * reach `subscribeAll` listeners (not `subscribe` ones: the thread's own bus had them);
 * stopping waits for the run in flight; a thread that cannot open its database makes
 * `start` fail with the reason.
 *
 * Always SQLite in a temporary data directory, whatever the leg: the thread is given
 * only the configuration, so both runtimes must open the database it names.
 */
import { mkdtempSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config';
import { parseContract } from '../../src/contracts/parse';
import type { Run } from '../../src/domain/run';
import { silentLogger } from '../../src/observability/logger';
import { openRuntime, type Runtime } from '../../src/runtime';
import { RunThread } from '../../src/cli/run-thread';
import { startTsWorker } from '../../src/lib/ts-worker';

// The real thread, with a handle on its Worker so a test can make it die.
vi.mock('../../src/lib/ts-worker', async (original) => {
  const m = await original<typeof import('../../src/lib/ts-worker')>();
  return { ...m, startTsWorker: vi.fn(m.startTsWorker) };
});
import { removeDir } from '../support/remove-dir';
import { casesContract } from '../fixtures/contracts/cases';

const CONTRACT = casesContract();

const SMALL_CSV = 'date,country,cases\n2024-01-01,DEU,1\n2024-01-01,FRA,2\n2024-01-02,DEU,5\n';

/** Enough rows that the run is still executing well after its `running` status crossed threads. */
function largeCsv(rows: number, entities = 500): string {
  const lines = ['date,country,cases'];
  for (let i = 0; i < rows; i++) {
    const day = new Date(Date.UTC(2023, 0, 1) + Math.floor(i / entities) * 86_400_000);
    lines.push(`${day.toISOString().slice(0, 10)},C${String(i % entities).padStart(4, '0')},${i % 997}`);
  }
  return `${lines.join('\n')}\n`;
}

const CODE_VERSION = 'run-thread-test';

describe('run thread (serve --role all, SQLite)', () => {
  let dataDir: string;
  let rt: Runtime;
  let thread: RunThread | undefined;
  const stops: Array<() => void> = [];

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tidemark-run-thread-'));
    const config = loadConfig({ TIDEMARK_DATA_DIR: dataDir, TIDEMARK_LOG_LEVEL: 'silent' });
    // No db override: the thread opens the database the configuration names, and so must this runtime.
    rt = await openRuntime(config, { role: 'api', logger: silentLogger(), codeVersion: CODE_VERSION });
    await rt.registry.apply([parseContract(CONTRACT, 'sales.yaml')], 'test');
  });

  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    await thread?.stop();
    thread = undefined;
    await rt.close();
    removeDir(dataDir);
  });

  async function land(relativePath: string, content: string): Promise<void> {
    const path = join(rt.config.landingDir, relativePath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }

  /** The statuses `subscribe` (this runtime's own runs) and `subscribeAll` (relayed too) listeners see. */
  function listen(): { own: Run[]; all: Run[] } {
    const seen = { own: [] as Run[], all: [] as Run[] };
    stops.push(rt.events.subscribe((run) => seen.own.push(run)));
    stops.push(rt.events.subscribeAll((run) => seen.all.push(run)));
    return seen;
  }

  const statusesOf = (events: Run[], id: string) => events.filter((e) => e.id === id).map((e) => e.status);

  it('executes a run triggered through the api runtime: answered, rows stored, relayed to subscribeAll only', async () => {
    await land('sales/a.csv', SMALL_CSV);
    const seen = listen();
    const finished: Run[] = [];
    const finishedElsewhere = rt.dispatcher.finishedElsewhere.bind(rt.dispatcher);
    rt.dispatcher.finishedElsewhere = (run) => {
      finished.push(run);
      finishedElsewhere(run);
    };
    // What start hands the dispatcher, wrapped to see the kicks posted to the thread.
    const kicks: Array<[string, string]> = [];
    const handOff = rt.dispatcher.handOff.bind(rt.dispatcher);
    rt.dispatcher.handOff = (to) =>
      handOff((contract, environment) => {
        kicks.push([contract, environment]);
        to(contract, environment);
      });
    thread = await RunThread.start(rt);

    const run = await rt.runs.trigger({ contract: 'sales', environment: 'dev', actor: 'test' });

    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.counts).toMatchObject({ read: 3, valid: 3, written: 3 });
    expect(kicks).toContainEqual(['sales', 'dev']);
    // The api runtime never executed it: its executor holds no claim and its own bus saw only the queueing.
    expect(rt.executor.isExecuting(run.id)).toBe(false);
    expect(statusesOf(seen.own, run.id)).toEqual(['queued']);
    expect(statusesOf(seen.all, run.id)).toEqual(['queued', 'running', 'succeeded']);
    // The thread's status changes reached the dispatcher's waiters.
    expect(statusesOf(finished, run.id)).toEqual(['running', 'succeeded']);

    const stored = (await rt.store.runs.get(run.id))!;
    expect(stored.status).toBe('succeeded');
    expect(stored.codeVersion).toBe(rt.codeVersion);
    expect(stored.codeVersion).toBe(CODE_VERSION);
    const vectors = await rt.features.features({
      contract: 'sales',
      entities: ['DEU', 'FRA'],
      environment: 'dev',
    });
    expect(vectors.map((v) => [v.values, v.runId])).toEqual([
      [{ cases: 5 }, run.id],
      [{ cases: 2 }, run.id],
    ]);
  });

  it('stop() waits for the run in flight, which ends succeeded', async () => {
    await land('sales/big.csv', largeCsv(100_000));
    const seen = listen();
    const running = new Promise<Run>((resolve, reject) => {
      stops.push(rt.events.subscribeAll((run) => run.status === 'running' && resolve(run)));
      setTimeout(() => reject(new Error('no running status relayed within 15 s')), 15_000).unref();
    });
    thread = await RunThread.start(rt);

    const answer = rt.runs.trigger({ contract: 'sales', environment: 'dev', actor: 'test' });
    const inFlight = await running;
    // Still in flight when stop is asked for: the end state has not crossed threads yet.
    expect(statusesOf(seen.all, inFlight.id)).toEqual(['queued', 'running']);
    await thread.stop();

    const stored = (await rt.store.runs.get(inFlight.id))!;
    expect(stored.status, stored.error ?? '').toBe('succeeded');
    expect(stored.counts.written).toBe(100_000);
    const answered = await answer;
    expect(answered.id).toBe(inFlight.id);
    expect(answered.status).toBe('succeeded');
  });

  it('start() rejects, naming the problem, when the thread cannot open its database', async () => {
    // The api runtime is open on the working database; the thread is handed a configuration whose
    // database refuses connections (port 1), with a short start-up wait.
    const config = {
      ...rt.config,
      databaseUrl: 'postgres://postgres@127.0.0.1:1/none',
      startupWaitMs: 300,
    };
    const started = Date.now();
    await expect(RunThread.start({ ...rt, config })).rejects.toThrow(/connect ECONNREFUSED 127\.0\.0\.1:1/);
    // It retried for the start-up wait, not for the default minute.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('a thread that dies ends `ended` with the reason; stop() after it returns at once', async () => {
    thread = await RunThread.start(rt);
    const worker = (await vi.mocked(startTsWorker).mock.results.at(-1)!.value) as Worker;
    const exitedBefore = new Promise((resolve) => worker.once('exit', resolve));
    await worker.terminate();
    await exitedBefore;

    await expect(thread.ended).rejects.toThrow(/the run thread stopped unexpectedly \(exit code 1\)/);
    // serve's shutdown stops the thread after this: it must not wait for an exit that already happened.
    await thread.stop();
  });
});
