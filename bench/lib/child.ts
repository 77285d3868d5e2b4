/**
 * Bench workers run in their own Node processes, so a measurement has a clean heap, its
 * own peak RSS, and a server never shares its event loop with the load generator. They
 * talk over the IPC channel. Each runs bundled and with the V8 flags `tidemark` runs with
 * (src/lib/bundle.mjs, bin/v8-flags.mjs), so a server's memory is what a deployment's is;
 * through tsx where it cannot be bundled.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { bundled } from '../../src/lib/bundle.mjs';
import { V8_FLAGS } from '../../bin/v8-flags.mjs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface Worker {
  child: ChildProcess;
  /** The next message of this type (rejects when the worker exits first). */
  next<T>(type: string): Promise<T>;
  send(msg: unknown): void;
  /** Asks the worker to stop and waits for it to exit. */
  stop(): Promise<void>;
}

export async function startWorker(script: string, args: string[] = []): Promise<Worker> {
  const source = join(BENCH_DIR, 'workers', script);
  const bundle = await bundled(source, `bench-${script.replace(/\.ts$/, '')}`);
  const child = fork(bundle ? fileURLToPath(bundle) : source, args, {
    execArgv: [...(bundle ? [] : ['--import', 'tsx']), ...V8_FLAGS, '--max-old-space-size=8192'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue: Array<{ type: string; data: unknown }> = [];
  const waiting: Array<{ type: string; resolve: (d: unknown) => void; reject: (e: Error) => void }> = [];
  let exited: Error | null = null;
  child.on('error', (err) => console.error(`bench: worker ${script}: ${err.message}`));
  child.on('message', (m: { type: string; data: unknown }) => {
    const i = waiting.findIndex((w) => w.type === m.type);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(m.data);
    else queue.push(m);
  });
  child.on('exit', (code, signal) => {
    exited = new Error(`worker ${script} exited (${signal ?? code})`);
    for (const w of waiting.splice(0)) w.reject(exited);
  });
  return {
    child,
    next: <T>(type: string) =>
      new Promise<T>((resolve, reject) => {
        const i = queue.findIndex((m) => m.type === type);
        if (i >= 0) return resolve(queue.splice(i, 1)[0]!.data as T);
        if (exited) return reject(exited);
        waiting.push({ type, resolve: resolve as (d: unknown) => void, reject });
      }),
    send: (msg) => child.send(msg as object),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      // A one-shot worker may be disconnecting already: a failed send just means it is on its way out.
      if (child.connected) child.send({ type: 'stop' }, () => {});
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await done;
      clearTimeout(timer);
    },
  };
}

/** Runs a worker that answers once with a `result` message, then exits. */
export async function runWorker<T>(script: string, args: string[] = []): Promise<T> {
  const w = await startWorker(script, args);
  try {
    return await w.next<T>('result');
  } finally {
    await w.stop();
  }
}

/** In a worker: sends a message to the parent; resolves once it is handed over. */
export function tell(type: string, data: unknown = null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('not started as a bench worker (no IPC channel)'));
    process.send({ type, data }, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}

/** In a one-shot worker: sends the result and lets the process end. */
export async function finish(result: unknown): Promise<void> {
  await tell('result', result);
  process.disconnect?.();
}

/** In a worker: resolves when the parent asks it to stop (or the channel closes). */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.on('message', (m: { type?: string }) => m?.type === 'stop' && resolve());
    process.on('disconnect', () => resolve());
  });
}

/** In a worker: parses `--name value` pairs. */
export function workerArgs(): Record<string, string> {
  const out: Record<string, string> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i]!.replace(/^--/, '')] = argv[i + 1] ?? '';
  return out;
}

/** Runs `fn` while the worker profiles itself (see answerProfileRequests); null when `dir` is null. */
export async function profileWorker<T>(
  w: Worker,
  dir: string | null,
  name: string,
  fn: () => Promise<T>,
): Promise<unknown> {
  if (!dir) return null;
  w.send({ type: 'profile-start', dir, name });
  await w.next('profiling');
  await fn();
  w.send({ type: 'profile-stop' });
  return w.next('profile');
}
