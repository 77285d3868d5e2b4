/**
 * A worker thread that runs a TypeScript module of ours and answers requests in order:
 * one message in, one message out. For CPU-bound work that would otherwise hold the
 * event loop that answers requests.
 *
 * The module runs as JavaScript bundled from our sources (bundle.mjs, as `tidemark`
 * itself runs; the Docker image bundles them at build, scripts/prebuild-bundles.mjs), so the thread starts once the bundle is ready; requests made meanwhile
 * wait in order. Started through tsx instead (ts-worker-boot.mjs, the fallback where
 * bundling fails), a thread took its own loader thread and compiled every module again:
 * about 40 MB more per worker, in a bulk training set's peak memory.
 */
import { fileURLToPath } from 'node:url';
import { Worker, type Transferable, type WorkerOptions } from 'node:worker_threads';
import { bundled, bundleName } from './bundle.mjs';

export interface WorkerReply<T> {
  ok?: T;
  error?: string;
}

/**
 * A worker thread running `module` (a TypeScript module of ours): bundled where it can
 * be, through tsx otherwise. Messages sent before it started wait in the caller's hands.
 */
export async function startTsWorker(module: URL, options: WorkerOptions = {}): Promise<Worker> {
  const entry = fileURLToPath(module);
  const bundle = await bundled(entry, bundleName(entry));
  return new Worker(bundle ?? new URL('./ts-worker-boot.mjs', import.meta.url), {
    ...options,
    workerData: { ...(options.workerData as object | undefined), module: module.href },
  });
}

export class OrderedWorker<Req, Res> {
  private readonly worker: Promise<Worker>;
  private readonly pending: Array<{ resolve: (r: Res) => void; reject: (e: Error) => void }> = [];
  private failed: Error | null = null;

  constructor(module: URL, what: string) {
    this.worker = startTsWorker(module, {
      // A small young generation: the encoder's garbage is short-lived, and its default
      // (tens of MB) showed up whole in a bulk training set's peak memory.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    }).then((worker) => {
      worker.on('message', (m: WorkerReply<Res>) => {
        const p = this.pending.shift();
        if (!p) return;
        if (m.error !== undefined) p.reject(new Error(`${what}: ${m.error}`));
        else p.resolve(m.ok as Res);
      });
      const fail = (err: Error) => {
        this.failed = err;
        for (const p of this.pending.splice(0)) p.reject(err);
      };
      worker.on('error', (err) => fail(new Error(`${what} failed: ${err.message}`)));
      worker.on('exit', (code) => fail(new Error(`${what} stopped (exit code ${code})`)));
      return worker;
    });
  }

  /** The answer to `req`, after the answers to every earlier request. */
  call(req: Req, transfer: Transferable[] = []): Promise<Res> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<Res>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      // Posted in the order asked: callbacks on one promise run in the order they were added.
      void this.worker.then((w) => w.postMessage(req, transfer));
    });
  }

  async close(): Promise<void> {
    await (await this.worker).terminate();
  }
}

/** The worker side: answers each request with `handle`'s result (or its error's message). */
export function serveRequests<Req, Res>(
  port: { on(e: 'message', f: (m: Req) => void): void; postMessage(m: unknown, t?: Transferable[]): void },
  handle: (req: Req) => { ok: Res; transfer?: Transferable[] },
): void {
  port.on('message', (req) => {
    let reply: { ok: Res; transfer?: Transferable[] };
    try {
      reply = handle(req);
    } catch (err) {
      port.postMessage({ error: (err as Error)?.message ?? String(err) });
      return;
    }
    port.postMessage({ ok: reply.ok }, reply.transfer ?? []);
  });
}
