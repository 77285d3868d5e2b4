/**
 * Where OpenLineage events go: an HTTP endpoint (Marquez's POST /api/v1/lineage
 * shape: the event as the JSON body) and/or a file of JSON lines. A transport throws
 * when delivery fails; the emitter decides what that means (log and count, never
 * fail the run).
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LineageRunEvent } from './event.types';

export interface LineageTransport {
  /** A short label for logs and metrics: `http` or `file`. */
  readonly kind: string;
  send(event: LineageRunEvent): Promise<void>;
}

export interface HttpTransportOptions {
  url: string;
  /** Abort a request after this long (default 5000 ms): a slow receiver must not pile up requests. */
  timeoutMs?: number;
  /** Extra headers, e.g. an Authorization header for a hosted receiver. */
  headers?: Record<string, string>;
}

export function httpTransport(opts: HttpTransportOptions): LineageTransport {
  const timeoutMs = opts.timeoutMs ?? 5000;
  return {
    kind: 'http',
    async send(event) {
      const res = await fetch(opts.url, {
        method: 'POST',
        headers: { ...opts.headers, 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Read the body either way so the connection goes back to the pool.
      const text = await res.text();
      if (!res.ok) throw new Error(`${opts.url} answered ${res.status}: ${text.slice(0, 200)}`);
    },
  };
}

/**
 * One JSON line per event, appended. Appends are chained so lines never interleave
 * and the file reads in emission order.
 */
export function fileTransport(path: string): LineageTransport {
  let ready: Promise<unknown> | null = null;
  let tail: Promise<void> = Promise.resolve();
  return {
    kind: 'file',
    send(event) {
      ready ??= mkdir(dirname(path), { recursive: true }).catch((err: unknown) => {
        ready = null; // try again with the next event
        throw err;
      });
      const line = JSON.stringify(event) + '\n';
      const write = tail.then(async () => {
        await ready;
        await appendFile(path, line, 'utf8');
      });
      // The next append waits for this one, whether it worked or not.
      tail = write.catch(() => undefined);
      return write;
    },
  };
}
