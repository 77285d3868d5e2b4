/**
 * The last line against amplification: an answer over the response size limit is
 * replaced by a BAD_USER_INPUT error saying so (and logged), on the fast path and through
 * Apollo alike; a failure outside Apollo on the direct HTTP path is logged before its 500.
 */
import http from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { boundedStringify } from '../../src/graphql/response-size';
import { graphqlHttp } from '../../src/graphql/http';
import { createServer, type TidemarkServer } from '../../src/server';
import { AuthGate } from '../../src/auth/gate';
import { RateLimiter } from '../../src/auth/rate-limit';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { repoFile } from '../support/graphql';

function capture(): { logger: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      out.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink), lines: () => out.map((l) => JSON.parse(l)) };
}

describe('boundedStringify', () => {
  it("answers as Apollo's own within the limit, and an error naming the size over it", () => {
    const { logger, lines } = capture();
    const stringify = boundedStringify(logger, 100);
    expect(stringify({ data: { a: 1 } })).toBe('{"data":{"a":1}}\n');
    const over = JSON.parse(stringify({ data: { a: 'é'.repeat(60) } }));
    expect(over).toEqual({
      errors: [
        {
          message:
            'the answer is 137 bytes, over the limit of 100 bytes: ask for fewer fields, entities or rows, or smaller pages',
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ],
      data: null,
    });
    expect(lines()).toMatchObject([
      { msg: 'GraphQL answer over the response size limit; refused', bytes: 137 },
    ]);
  });
});

describe(`response size limit over HTTP (${testEngine()})`, () => {
  let rt: TestRuntime;
  const servers: TidemarkServer[] = [];
  const ports: number[] = [];
  let logged: () => Array<Record<string, unknown>>;

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [repoFile('contracts/card_transactions.yaml')] });
    const { logger, lines } = capture();
    logged = lines;
    // The fast path, and Apollo alone (fastExecution: false), both with a 1 KB limit.
    for (const fastExecution of [true, false]) {
      const server = await createServer({ ...rt, logger }, { fastExecution, maxResponseBytes: 1_000 });
      servers.push(server);
      ports.push(await server.listen(0, '127.0.0.1'));
    }
  });
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await rt?.dispose();
  });

  it('refuses contracts { yaml } over 1 KB with a clear error on both roads, and logs it', async () => {
    for (const port of ports) {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ contracts { name yaml } }' }),
      });
      const body = (await res.json()) as {
        data: unknown;
        errors: Array<{ message: string; extensions: { code: string } }>;
      };
      expect(body.data).toBeNull();
      expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
      expect(body.errors[0]!.message).toMatch(/^the answer is \d+ bytes, over the limit of 1000 bytes/);
      // A small answer is untouched.
      const small = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ contracts { name } }' }),
      });
      expect(await small.json()).toEqual({ data: { contracts: [{ name: 'card_transactions' }] } });
    }
    expect(
      logged().filter((l) => l.msg === 'GraphQL answer over the response size limit; refused'),
    ).toHaveLength(2);
  });
});

describe('direct HTTP path', () => {
  it('logs a failure outside Apollo before answering 500', async () => {
    const { logger, lines } = capture();
    const rt = await createTestRuntime();
    const listener = graphqlHttp(
      {} as never,
      {
        path: '/graphql',
        maxBodyBytes: 1024,
        gate: new AuthGate(rt.keys, 'loopback-anonymous'),
        limiter: new RateLimiter(1000, 1000),
        context: () => ({}) as never,
        fast: async () => {
          throw new RangeError('Invalid string length');
        },
        logger,
      },
      (_req, res) => res.end(),
    );
    const server = http.createServer(listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ contracts { name } }"}',
      });
      expect(res.status).toBe(500);
      expect(lines()).toMatchObject([
        { msg: 'GraphQL request failed outside Apollo', err: { message: 'Invalid string length' } },
      ]);
    } finally {
      server.close();
      await rt.dispose();
    }
  });
});
