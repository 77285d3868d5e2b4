/**
 * A worker thread that runs a TypeScript module of ours and answers requests in order:
 * one message in, one message out. For CPU-bound work that would otherwise hold the
 * event loop that answers requests.
 *
 * The module runs as JavaScript that esbuild (the compiler tsx runs on) bundles from
 * our sources once per process, into node_modules/.cache/tidemark/, the packages it
 * imports left as imports (resolved from node_modules beside it). Started through tsx
 * instead (ts-worker-boot.mjs, still the fallback), a thread took its own loader thread
 * and compiled every module again: about 40 MB more per worker, in a bulk training
 * set's peak memory.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
    const bundle = bundled(module);
    this.worker = new Worker(bundle ?? new URL('./ts-worker-boot.mjs', import.meta.url), {
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

/** Bundles by module, once per process. */
const bundles = new Map<string, URL | null>();

/** The module bundled as one JavaScript file, or null where esbuild cannot (then tsx runs it). */
function bundled(module: URL): URL | null {
  const known = bundles.get(module.href);
  if (known !== undefined) return known;
  let out: URL | null;
  try {
    const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    const { outputFiles } = esbuild.buildSync({
      entryPoints: [fileURLToPath(module)],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
    });
    const code = outputFiles[0]!.contents;
    const dir = fileURLToPath(new URL('../../node_modules/.cache/tidemark/', import.meta.url));
    const name = module.pathname.split('/').pop()!.replace(/\.ts$/, '');
    const file = `${dir}${name}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`;
    // Named by its content: processes that build the same bundle write the same file.
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, code);
      renameSync(partial, file);
    }
    out = pathToFileURL(file);
  } catch {
    out = null;
  }
  bundles.set(module.href, out);
  return out;
}
