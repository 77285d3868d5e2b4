/**
 * `serve --role all` executes runs on a thread of its own. In one event loop, a run's
 * CPU-bound stretches (parsing, validation, profiles, the commit's serialisation: up to
 * a quarter of a second each on a million rows, however finely sliced) held every
 * request queued behind them. The run thread has its own runtime: its own event loop,
 * heap and database connections, as a `--role worker` process has, within one process
 * and one deployment.
 *
 * The serving thread's runtime is then an `api` one: it queues runs (GraphQL, schedules,
 * arrivals, streams) and hands each lane over by message at once; the thread's
 * dispatcher claims and executes them, sweeps orphans and retries, and also polls the
 * queue as a worker does, so nothing depends on a message arriving. Each status change
 * comes back by message: waiters on a run are answered, and the subscriptions' reader
 * of the run event log reads at once.
 */
import type { Worker } from 'node:worker_threads';
import type { Runtime } from '../runtime';
import { startTsWorker } from '../lib/ts-worker';
import type { FromRunThread, ToRunThread } from './run-thread.messages';

export class RunThread {
  private stopping = false;
  /** Rejects when the thread ends without being asked to (a crash, out of memory). */
  readonly ended: Promise<never>;

  private constructor(
    private readonly worker: Worker,
    ended: Promise<never>,
    /** Resolves when the thread has exited, for whatever reason. */
    private readonly exited: Promise<void>,
  ) {
    this.ended = ended;
  }

  /** Starts the thread; resolves once its first sweep is done, rejects with its start-up error. */
  static async start(rt: Runtime): Promise<RunThread> {
    const worker = await startTsWorker(new URL('./run-thread.worker.ts', import.meta.url), {
      workerData: { config: rt.config, codeVersion: rt.codeVersion },
    });
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    let thread: RunThread | null = null;
    // Kicks after stop() would go to a thread that no longer reads them.
    const send = (m: ToRunThread) => {
      if (!thread?.stopping) worker.postMessage(m);
    };
    let lastError: Error | null = null;
    worker.on('error', (err) => {
      lastError = err;
      rt.logger.error({ err }, 'run thread failed');
    });
    const why = () => (lastError ? `: ${lastError.message}` : '');
    const started = new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromRunThread) => {
        if (m.type === 'started') resolve();
        else if (m.type === 'failed') {
          reject(new Error(m.error));
          worker.postMessage({ type: 'stop' } satisfies ToRunThread);
        } else if (m.type === 'run') {
          rt.events.relay(m.run);
          rt.dispatcher.finishedElsewhere(m.run);
        }
      });
      worker.once('exit', (code) =>
        reject(new Error(`the run thread ended during start-up (exit code ${code})${why()}`)),
      );
    });
    const ended = new Promise<never>((_, reject) => {
      worker.once('exit', (code) => {
        if (thread?.stopping) return;
        reject(new Error(`the run thread stopped unexpectedly (exit code ${code})${why()}`));
      });
    });
    ended.catch(() => undefined); // observed by whoever awaits it; never unhandled
    await started;
    thread = new RunThread(worker, ended, exited);
    rt.dispatcher.handOff((contract, environment) => send({ type: 'kick', contract, environment }));
    return thread;
  }

  /** The runs in flight finish (as `dispatcher.stop` waits for them), then the thread ends. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // A thread that already ended (it died: `ended`) has nothing left to stop.
    this.worker.postMessage({ type: 'stop' } satisfies ToRunThread);
    await this.exited;
  }
}
