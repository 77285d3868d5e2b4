/**
 * A real server with keys required on an ephemeral port, for the access tests: HTTP
 * calls with a given key (fetch, headers and all) and graphql-ws clients that report
 * how their socket closed.
 */
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { createServer, type ServerOptions, type TidemarkServer } from '../../src/server';
import type { Role } from '../../src/domain/role';
import type { TestRuntime } from '../support/runtime';
import type { Loose } from '../support/graphql';

export const PUSH_CONTRACT = `name: pings
version: 1.0.0
owner: tests
entity: { name: device, key: [device] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: device, type: string, required: true }
  - { name: n, type: integer }
expectations: []
features:
  - { name: n, column: n }
`;

export interface Answer {
  status: number;
  headers: Headers;
  body: Loose;
}

export interface Socket {
  client: Client;
  /** Resolves with the close code (and reason) once the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
}

export interface KeyedServer {
  server: TidemarkServer;
  base: string;
  key(role: Role, owner?: string): Promise<{ id: string; secret: string }>;
  post(query: string, key: string | null, variables?: Record<string, unknown>): Promise<Answer>;
  get(path: string, key: string | null): Promise<Answer>;
  /** A graphql-ws client that connected (or was refused: see `closed`). */
  socket(key: string | null): Promise<Socket>;
  close(): Promise<void>;
}

export async function keyedServer(rt: TestRuntime, opts: ServerOptions = {}): Promise<KeyedServer> {
  const server = await createServer(rt, { authMode: 'required', ...opts });
  const port = await server.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const clients: Client[] = [];
  const auth = (key: string | null): Record<string, string> =>
    key ? { authorization: `Bearer ${key}` } : {};
  const answer = async (res: Response): Promise<Answer> => {
    const text = await res.text();
    let body: Loose = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (Prometheus text): kept as text
    }
    return { status: res.status, headers: res.headers, body };
  };
  return {
    server,
    base,
    key: async (role, owner = `${role}-owner`) => {
      const made = await rt.keys.create(owner, role, 'tests');
      return { id: made.key.id, secret: made.secret };
    },
    post: async (query, key, variables) =>
      answer(
        await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth(key) },
          body: JSON.stringify({ query, variables }),
        }),
      ),
    get: async (path, key) => answer(await fetch(`${base}${path}`, { headers: auth(key) })),
    socket: async (key) => {
      let onClosed!: (e: { code: number; reason: string }) => void;
      const closed = new Promise<{ code: number; reason: string }>((r) => (onClosed = r));
      let onDone!: () => void;
      const done = new Promise<void>((r) => (onDone = r));
      const client = createClient({
        url: `ws://127.0.0.1:${port}/graphql`,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionParams: key ? { authorization: `Bearer ${key}` } : {},
        onNonLazyError: () => undefined,
        on: {
          connected: () => onDone(),
          closed: (e) => {
            const ev = e as { code?: number; reason?: string };
            onClosed({ code: ev.code ?? 0, reason: String(ev.reason ?? '') });
            onDone();
          },
        },
      });
      clients.push(client);
      await done;
      return { client, closed };
    },
    close: async () => {
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
      await server.stop();
    },
  };
}

/** Runs one operation over a socket and resolves with what it delivered (data or errors). */
export function operate(client: Client, query: string, variables?: Record<string, unknown>): Promise<Loose> {
  return new Promise((resolve) => {
    let result: Loose = null;
    client.subscribe(
      { query, variables },
      {
        next: (v) => (result = v),
        error: (e) => resolve({ errors: Array.isArray(e) ? e : [e] }),
        complete: () => resolve(result),
      },
    );
  });
}
