/**
 * GraphQL test helpers: a real Tidemark server listening on an ephemeral port for a
 * TestRuntime, a supertest `gql()` that answers {status, data, errors}, and a
 * graphql-ws client over a real WebSocket that collects what a subscription delivers.
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { expect } from 'vitest';
import { createServer, type TidemarkServer } from '../../src/server';
import type { Run } from '../../src/domain/run';
import type { TestRuntime } from './runtime';
import { makeRun } from './fixtures';

/**
 * Response data in tests is read field by field and checked with expect(); typing each
 * query's answer would only restate the query.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface GqlError {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GqlResponse<T = Loose> {
  status: number;
  data: T | null;
  errors?: GqlError[];
}

export interface TestServer {
  rt: TestRuntime;
  server: TidemarkServer;
  port: number;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** ws://127.0.0.1:<port>/graphql */
  wsUrl: string;
  /** POST /graphql through supertest. */
  gql<T = Loose>(query: string, variables?: Record<string, unknown>): Promise<GqlResponse<T>>;
  /** Like gql, but fails the test when the answer carries errors; returns data. */
  ok<T = Loose>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** A connected graphql-ws client (closed by close()). */
  wsClient(): Promise<Client>;
  /** Subscribes over a fresh WebSocket client and collects every event. */
  subscribe<T = Loose>(query: string, variables?: Record<string, unknown>): Promise<Collector<T>>;
  /** Closes WebSocket clients and stops the server (the runtime is the caller's). */
  close(): Promise<void>;
}

export async function startServer(rt: TestRuntime): Promise<TestServer> {
  const server = await createServer(rt);
  const port = await server.listen(0, '127.0.0.1');
  const clients: Client[] = [];
  const url = `http://127.0.0.1:${port}/graphql`;
  const wsUrl = `ws://127.0.0.1:${port}/graphql`;

  const gql = async <T = Loose>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GqlResponse<T>> => {
    const res = await request(server.httpServer)
      .post('/graphql')
      .set('Accept', 'application/json')
      .send({ query, variables });
    const body = (res.body ?? {}) as { data?: T | null; errors?: GqlError[] };
    return { status: res.status, data: body.data ?? null, errors: body.errors };
  };

  const wsClient = async (): Promise<Client> => {
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 });
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      const offConnected = client.on('connected', () => {
        offConnected();
        resolve();
      });
      client.on('error', reject);
      // A refused connection (e.g. 4403) closes without an error event.
      client.on('closed', (event) =>
        reject(new Error(`websocket closed before connecting: ${JSON.stringify(describeSinkError(event))}`)),
      );
    });
    return client;
  };

  return {
    rt,
    server,
    port,
    url,
    wsUrl,
    gql,
    ok: async <T = Loose>(query: string, variables?: Record<string, unknown>): Promise<T> => {
      const res = await gql<T>(query, variables);
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      return res.data as T;
    },
    wsClient,
    subscribe: async <T = Loose>(query: string, variables?: Record<string, unknown>) =>
      collect<T>(await wsClient(), query, variables),
    close: async () => {
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
      await server.stop();
    },
  };
}

/** The first error of a response, asserting there is one with `code`. */
export function expectError(res: GqlResponse, code: string, message?: RegExp): GqlError {
  expect(res.errors, `expected a ${code} error; got data ${JSON.stringify(res.data)}`).toBeDefined();
  const err = res.errors![0]!;
  expect(err.extensions?.code, err.message).toBe(code);
  if (message) expect(err.message).toMatch(message);
  return err;
}

/** What one subscription has delivered so far. */
export interface Collector<T> {
  /** `data` of every `next` message, in arrival order. */
  events: T[];
  /** Errors delivered to the sink (e.g. validation errors refused in onSubscribe). */
  errors: unknown[];
  completed: boolean;
  /** Resolves once `events` satisfies `done`; rejects if the subscription errors or completes first. */
  until(done: (events: T[]) => boolean): Promise<T[]>;
  /** Resolves with the sink's error (the subscription must fail). */
  failure(): Promise<unknown>;
  unsubscribe(): void;
}

export function collect<T>(client: Client, query: string, variables?: Record<string, unknown>): Collector<T> {
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  const c: Collector<T> = {
    events: [],
    errors: [],
    completed: false,
    until: (done) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (done(c.events)) {
            waiters.delete(check);
            resolve(c.events);
          } else if (c.errors.length > 0 || c.completed) {
            waiters.delete(check);
            reject(
              new Error(
                `subscription ended before the condition held: ${JSON.stringify({ errors: c.errors, events: c.events })}`,
              ),
            );
          }
        };
        waiters.add(check);
        check();
      }),
    failure: () =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (c.errors.length > 0) {
            waiters.delete(check);
            resolve(c.errors[0]);
          } else if (c.completed) {
            waiters.delete(check);
            reject(new Error(`subscription completed without an error: ${JSON.stringify(c.events)}`));
          }
        };
        waiters.add(check);
        check();
      }),
    unsubscribe: () => undefined,
  };
  c.unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (msg) => {
        if (msg.errors) c.errors.push(msg.errors);
        else c.events.push(msg.data as T);
        wake();
      },
      error: (err) => {
        c.errors.push(describeSinkError(err));
        wake();
      },
      complete: () => {
        c.completed = true;
        wake();
      },
    },
  );
  return c;
}

/** GraphQL errors stay as they are; a closed socket (a CloseEvent) becomes its code and reason. */
function describeSinkError(err: unknown): unknown {
  if (Array.isArray(err)) return err;
  if (err instanceof Error) return { message: err.message };
  const close = err as { code?: unknown; reason?: unknown };
  if (close && typeof close === 'object' && 'code' in close)
    return { closeCode: close.code, reason: close.reason };
  return err;
}

let probeSeq = 0;

/**
 * graphql-ws has no "subscribed" acknowledgement, so a test cannot know when the
 * server has registered a subscription. This publishes probe runs (ids `probe_…`)
 * on the runtime's event bus for (contract, environment) until the subscription
 * delivers one: from then on every later event reaches it, in order.
 */
export async function untilSubscribed(
  rt: TestRuntime,
  sub: Collector<{ runStatusChanged: { id: string } }>,
  target: { contract: string; environment: Run['environment'] },
): Promise<void> {
  // Probes are real (failed, so never dispatched) runs: the subscription reads the
  // durable event log, so only a status change written to the store reaches it.
  const prefix = `probe_${++probeSeq}_`;
  const seen = () => sub.events.some((e) => e.runStatusChanged.id.startsWith(prefix));
  const cv = (await rt.store.db('contract_versions').where({ name: target.contract }).first('version')) as
    { version: string } | undefined;
  for (let i = 0; !seen(); i++) {
    if (sub.errors.length > 0 || sub.completed)
      throw new Error(`subscription failed: ${JSON.stringify(sub.errors)}`);
    await rt.store.runs.insert(probeRun(prefix + i, target.contract, target.environment, cv?.version));
    // Retry until delivered; the test timeout bounds the loop.
    await Promise.race([sub.until(seen).catch(() => undefined), new Promise((r) => setTimeout(r, 100))]);
  }
}

/** Events that are not probes. */
export function realEvents<T extends { runStatusChanged: { id: string } }>(events: T[]): T[] {
  return events.filter((e) => !e.runStatusChanged.id.startsWith('probe_'));
}

function probeRun(id: string, contract: string, environment: Run['environment'], version = '0.0.0'): Run {
  return makeRun({
    id,
    contractName: contract,
    contractVersion: version,
    environment,
    createdBy: 'probe',
    status: 'failed',
  });
}

/** A file of the repository (contracts/, seeds/), read as text. */
export function repoFile(path: string): string {
  return readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
}

/** The sample push records of card_transactions. */
export function cardRecords(): Array<Record<string, unknown>> {
  return repoFile('seeds/data/card_transactions/sample.jsonl')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Lands the country_daily seed CSVs where the contract's source glob finds them. */
export async function landCountryDaily(rt: TestRuntime): Promise<void> {
  for (const f of ['2020-q1.csv', '2020-q2.csv'])
    await rt.land(`country_daily/${f}`, repoFile(`seeds/data/country_daily/${f}`));
}
