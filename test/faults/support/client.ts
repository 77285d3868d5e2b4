/**
 * Talking to an instance from outside, as a client would: GraphQL over HTTP (fetch,
 * always with a deadline, so a hang is a failure and not a stuck test) and
 * subscriptions over graphql-ws.
 */
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface GqlError {
  message: string;
  extensions?: { code?: string; [k: string]: unknown };
}

export interface GqlResult {
  status: number;
  data: Loose;
  errors?: GqlError[];
  /** Milliseconds until the answer arrived. */
  ms: number;
}

export interface GqlOptions {
  key?: string;
  timeoutMs?: number;
  /** A raw body instead of {query, variables} (malformed-input tests). */
  rawBody?: string | Buffer;
}

export async function gql(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  opts: GqlOptions = {},
): Promise<GqlResult> {
  const t0 = Date.now();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: opts.rawBody ?? JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
  });
  const text = await res.text();
  let body: { data?: unknown; errors?: GqlError[] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = { errors: [{ message: `non-JSON answer: ${text.slice(0, 200)}` }] };
  }
  return { status: res.status, data: body.data ?? null, errors: body.errors, ms: Date.now() - t0 };
}

/** data, or throws with the errors. */
export async function gqlOk(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  opts: GqlOptions = {},
): Promise<Loose> {
  const r = await gql(url, query, variables, opts);
  if (r.errors?.length || r.status !== 200)
    throw new Error(`GraphQL failed (${r.status}): ${JSON.stringify(r.errors)}`);
  return r.data;
}

export function codes(r: GqlResult): string[] {
  return (r.errors ?? []).map((e) => String(e.extensions?.code));
}

export interface RunEvent {
  id: string;
  contract: string;
  status: string;
  trigger: string;
}

export interface Subscription {
  events: RunEvent[];
  errors: unknown[];
  /** Resolves once an event satisfies `pred`; rejects after `timeoutMs`. */
  until(pred: (e: RunEvent) => boolean, timeoutMs: number, what?: string): Promise<RunEvent>;
  close(): Promise<void>;
}

export const RUN_STATUS_SUBSCRIPTION = `subscription($contract: String) {
  runStatusChanged(contract: $contract) { id contract status trigger }
}`;

/** Subscribes to runStatusChanged(contract) over a WebSocket; events are collected in order. */
export async function subscribeRuns(wsUrl: string, contract: string, key?: string): Promise<Subscription> {
  const client: Client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    onNonLazyError: () => undefined, // a refusal is seen through 'closed' below
    retryAttempts: 0,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('websocket did not connect within 10 s')), 10_000);
    client.on('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.on('closed', (e) => {
      clearTimeout(timer);
      reject(new Error(`websocket closed: ${JSON.stringify({ code: (e as { code?: number }).code })}`));
    });
  });
  const events: RunEvent[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  client.subscribe<{ runStatusChanged: RunEvent }>(
    { query: RUN_STATUS_SUBSCRIPTION, variables: { contract } },
    {
      next: (msg) => {
        if (msg.errors) errors.push(msg.errors);
        else if (msg.data) events.push(msg.data.runStatusChanged);
        for (const w of [...waiters]) w();
      },
      error: (err) => {
        errors.push(err);
        for (const w of [...waiters]) w();
      },
      complete: () => undefined,
    },
  );
  return {
    events,
    errors,
    until: (pred, timeoutMs, what = 'event') =>
      new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred);
          if (hit) {
            cleanup();
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(
            new Error(
              `no ${what} within ${timeoutMs} ms; got ${JSON.stringify(events)} errors ${JSON.stringify(errors)}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: async () => {
      await client.dispose();
    },
  };
}
