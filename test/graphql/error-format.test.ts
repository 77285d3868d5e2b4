/**
 * The one error mapping: a database that cannot be reached answers UNAVAILABLE with a
 * message saying to retry, logged as a warning without a stack; Tidemark errors keep
 * their code; anything else stays INTERNAL with nothing leaked. Errors are real ones
 * (a refused connect, a cut connection, knex's pool timeout), wrapped the way Apollo
 * hands them to the formatter.
 */
import { Writable } from 'node:stream';
import net from 'node:net';
import knex from 'knex';
import pino from 'pino';
import { GraphQLError } from 'graphql';
import { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createErrorFormatter } from '../../src/graphql/error-format';
import { NotFoundError } from '../../src/errors';
import { testEngine } from '../support/engine';
import { sqliteFullError } from '../support/disk-full';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { startServer, type TestServer } from '../support/graphql';

interface LogLine {
  level: number;
  msg: string;
  err?: unknown;
  error?: string;
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

/** A connect to a port nobody listens on: the error pg gives when PostgreSQL is down. */
async function refused(): Promise<Error> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return new Promise((resolve) => net.connect(port, '127.0.0.1').once('error', resolve));
}

/** A query through knex against a server that accepts and cuts the connection. */
async function connectionCut(): Promise<Error> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as net.AddressInfo;
  const k = knex({
    client: 'pg',
    connection: `postgres://nobody@127.0.0.1:${port}/none`,
    pool: { min: 0, max: 1 },
    log: { warn: () => undefined },
  });
  try {
    await k.raw('select 1');
    throw new Error('expected a failure');
  } catch (err) {
    return err as Error;
  } finally {
    await k.destroy();
    server.close();
  }
}

/** Formats `err` as Apollo passes a resolver's error to formatError (wrapped, with its path). */
function format(err: Error) {
  const { logger, lines } = capturingLogger();
  const wrapped = new GraphQLError(err.message, { path: ['runs'], originalError: err });
  const formatted = createErrorFormatter(logger)(
    { message: wrapped.message, path: ['runs'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    wrapped,
  );
  return { formatted, lines };
}

describe('GraphQL error mapping', () => {
  it('connection refused → UNAVAILABLE "the database is unreachable (ECONNREFUSED); retry later", a warning without stack', async () => {
    const { formatted, lines } = format(await refused());
    expect(formatted).toEqual({
      message: 'the database is unreachable (ECONNREFUSED); retry later',
      locations: undefined,
      path: ['runs'],
      extensions: { code: 'UNAVAILABLE' },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'database unavailable in GraphQL operation' });
    expect(lines[0]!.err).toBeUndefined();
    expect(lines[0]!.error).toMatch(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });

  it('a connection cut mid-query (knex + pg) and the pool timeout → UNAVAILABLE', async () => {
    const cut = format(await connectionCut());
    expect(cut.formatted.extensions).toEqual({ code: 'UNAVAILABLE' });
    expect(cut.formatted.message).toBe('the database is unreachable (connection terminated); retry later');
    // knex's own error for a full pool (its class is not exported; its name and message are the shape).
    const pool = Object.assign(
      new Error(
        'Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?',
      ),
      { name: 'KnexTimeoutError' },
    );
    expect(format(pool).formatted.extensions).toEqual({ code: 'UNAVAILABLE' });
  });

  it('a full disk (SQLite\'s own SQLITE_FULL through knex) → INSUFFICIENT_STORAGE "disk full", a warning without stack', async () => {
    const { formatted, lines } = format(await sqliteFullError());
    expect(formatted).toEqual({
      message:
        'disk full: the database has no space left (SQLITE_FULL); free space on its disk, then retry later',
      locations: undefined,
      path: ['runs'],
      extensions: { code: 'INSUFFICIENT_STORAGE' },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: 'disk full in GraphQL operation' });
    expect(lines[0]!.err).toBeUndefined();
    expect(lines[0]!.error).toBe('SQLITE_FULL: database or disk is full');
  });

  it('a bug stays INTERNAL with nothing leaked, logged as an error with its stack', () => {
    const { formatted, lines } = format(new TypeError('secret detail'));
    expect(formatted).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL' } });
    expect(lines[0]).toMatchObject({ level: 50, msg: 'internal error in GraphQL operation' });
    expect(JSON.stringify(lines[0]!.err)).toContain('stack');
  });

  it('a Tidemark error keeps its message and code', () => {
    const { formatted, lines } = format(new NotFoundError("contract 'x' not found"));
    expect(formatted).toMatchObject({ message: "contract 'x' not found", extensions: { code: 'NOT_FOUND' } });
    expect(lines).toEqual([]);
  });
});

describe(`UNAVAILABLE over HTTP (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  beforeEach(async () => {
    rt = await createTestRuntime();
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  it('a query whose database connect is refused answers UNAVAILABLE, not INTERNAL', async () => {
    const err = await refused();
    rt.store.runs.list = () => Promise.reject(err);
    const res = await s.gql('{ runs(first: 1) { totalCount } }');
    expect(res.status).toBe(200);
    expect(res.errors).toEqual([
      expect.objectContaining({
        message: 'the database is unreachable (ECONNREFUSED); retry later',
        extensions: { code: 'UNAVAILABLE' },
      }),
    ]);
  });

  it.each(['GET', 'POST'])(
    'an API key that cannot be looked up because the database is down → 503 UNAVAILABLE, not 401 (%s)',
    async (method) => {
      const err = await refused();
      rt.keys.authenticate = () => Promise.reject(err);
      const query = '{ runs(first: 1) { totalCount } }';
      const headers = { accept: 'application/json', authorization: 'Bearer tmk_abc_def' };
      // POST with a JSON body takes the direct path (src/graphql/http.ts), GET goes through Express.
      const res =
        method === 'GET'
          ? await fetch(`${s.url}?query=${encodeURIComponent(query)}`, { headers })
          : await fetch(s.url, {
              method: 'POST',
              headers: { ...headers, 'content-type': 'application/json' },
              body: JSON.stringify({ query }),
            });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        errors: [
          {
            message: 'the database is unreachable (ECONNREFUSED); retry later',
            extensions: { code: 'UNAVAILABLE' },
          },
        ],
      });
    },
  );

  it('a WebSocket whose key cannot be looked up because the database is down closes 1013 (retry later); a bad key 4403', async () => {
    const closeCode = (authorization: string) =>
      new Promise<{ code: number; reason: string }>((resolve) => {
        const socket = new WebSocket(s.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
        socket.on('open', () =>
          socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization } })),
        );
        socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      });
    expect((await closeCode('Bearer tmk_abc_def')).code).toBe(4403);
    const err = await refused();
    rt.keys.authenticate = () => Promise.reject(err);
    expect(await closeCode('Bearer tmk_abc_def')).toEqual({
      code: 1013,
      reason: 'the database is unreachable; retry later',
    });
  });
});
