/**
 * The run thread of `serve --role all` (see run-thread.ts): a runtime of its own (its
 * own connections, event loop and heap) whose dispatcher claims and executes the queued
 * runs, as a `--role worker` process would. Schedules, arrivals and streams stay with
 * the serving thread, which queues their runs and hands them over by message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config';
import { openRuntime, type Runtime } from '../runtime';
import { whileUnavailable } from '../lib/startup-retry';
import { yieldToRequests } from '../lib/run-priority';
import type { FromRunThread, ToRunThread } from './run-thread.messages';

const port = parentPort!;
// The serving thread's configuration and code version: the runs are recorded as its own.
const { config, codeVersion } = workerData as { config: Config; codeVersion: string };
const post = (m: FromRunThread) => port.postMessage(m);

let rt: Runtime | null = null;

async function start(): Promise<void> {
  rt = await openRuntime(config, { role: 'worker', startupWaitMs: config.startupWaitMs, codeVersion });
  const runtime = rt;
  // This thread only: the process's database threads also answer the serving thread's reads.
  yieldToRequests(config.runNice, runtime.logger);
  // Every status change of a run executed here reaches the serving thread, which answers
  // its waiters and wakes its subscriptions' reader of the run event log at once.
  runtime.events.subscribe((run) => post({ type: 'run', run }));
  await whileUnavailable('first sweep', () => runtime.dispatcher.start(), {
    logger: runtime.logger,
    deadlineMs: config.startupWaitMs,
  });
}

const started = start().then(
  () => post({ type: 'started' }),
  (err: unknown) => post({ type: 'failed', error: err instanceof Error ? err.message : String(err) }),
);
let stopping: Promise<void> | null = null;

/** After start-up (even a failed one): the runs in flight finish, the runtime closes, the thread ends. */
function stop(): Promise<void> {
  return started.then(() => rt?.close()).finally(() => port.close());
}

port.on('message', (m: ToRunThread) => {
  if (m.type === 'kick') rt?.dispatcher.kick(m.contract, m.environment);
  else if (m.type === 'stop') stopping ??= stop();
});
