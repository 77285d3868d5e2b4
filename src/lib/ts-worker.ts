/**
 * A worker thread that runs a TypeScript module of ours (through ts-worker-boot.mjs) and
 * answers requests in order: one message in, one message out. For CPU-bound work that
 * would otherwise hold the event loop that answers requests.
 */
import { Worker, type Transferable } from 'node:worker_threads';

export interface WorkerReply<T> {
  ok?: T;
  error?: string;
}

export class OrderedWorker<Req, Res> {
  private readonly worker: Worker;
  private readonly pending: Array<{ resolve: (r: Res) => void; reject: (e: Error) => void }> = [];
  private failed: Error | null = null;

  constructor(module: URL, what: string) {
    this.worker = new Worker(new URL('./ts-worker-boot.mjs', import.meta.url), {
      workerData: { module: module.href },
      // A small young generation: the encoder's garbage is short-lived, and its default
      // (tens of MB) showed up whole in a bulk training set's peak memory.
      resourceLimits: { maxYoungGenerationSizeMb: 8 },
    });
    this.worker.on('message', (m: WorkerReply<Res>) => {
      const p = this.pending.shift();
      if (!p) return;
      if (m.error !== undefined) p.reject(new Error(`${what}: ${m.error}`));
      else p.resolve(m.ok as Res);
    });
    const fail = (err: Error) => {
      this.failed = err;
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    this.worker.on('error', (err) => fail(new Error(`${what} failed: ${err.message}`)));
    this.worker.on('exit', (code) => fail(new Error(`${what} stopped (exit code ${code})`)));
  }

  /** The answer to `req`, after the answers to every earlier request. */
  call(req: Req, transfer: Transferable[] = []): Promise<Res> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<Res>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.worker.postMessage(req, transfer);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
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
