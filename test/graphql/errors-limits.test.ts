/**
 * Error mapping and request limits over HTTP: unknown errors become INTERNAL with
 * nothing leaked (and are logged with their stack), depth and complexity limits are
 * refused as BAD_USER_INPUT naming the limit, oversized and malformed bodies get a
 * JSON error with the right status.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import request from 'supertest';
import { LIMITS } from '../../src/graphql/limits';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { expectError, startServer, type TestServer } from '../support/graphql';

/** `run(id) { parent { parent { … { id } } } }`: depth 2 + `parents`. */
function nestedParents(parents: number): string {
  return `query Deep { run(id: "x") { ${'parent { '.repeat(parents)}id${' }'.repeat(parents)} } }`;
}

describe(`errors and limits (${testEngine()})`, () => {
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

  it(`refuses an operation deeper than ${LIMITS.maxDepth} levels as BAD_USER_INPUT naming the limit`, async () => {
    const res = await s.gql(nestedParents(LIMITS.maxDepth - 1));
    expect(res.status).toBe(400);
    expectError(
      res,
      'BAD_USER_INPUT',
      new RegExp(`operation 'Deep' is ${LIMITS.maxDepth + 1} levels deep; the limit is ${LIMITS.maxDepth}`),
    );
    expect(res.data).toBeNull();
  });

  it('allows an operation exactly at the depth limit', async () => {
    const res = await s.gql(nestedParents(LIMITS.maxDepth - 2));
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ run: null });
  });

  it('counts depth through fragments too', async () => {
    const q = `query Frag { run(id: "x") { ...P } }
      fragment P on Run { parent { parent { parent { parent { ...Q } } } } }
      fragment Q on Run { parent { parent { parent { parent { parent { id } } } } } }`;
    expectError(
      await s.gql(q),
      'BAD_USER_INPUT',
      new RegExp(`is ${LIMITS.maxDepth + 1} levels deep; the limit is ${LIMITS.maxDepth}`),
    );
  });

  it(`refuses an operation costlier than ${LIMITS.maxComplexity} as BAD_USER_INPUT naming the limit`, async () => {
    // 1 (runs) + 1 (nodes) + 500 nodes × 10 fields = 5002: the connection's `first` sizes its nodes.
    const q = `query Wide { runs(first: 500) { nodes { id contract status trigger environment rowsRead rowsValid rowsRejected rowsWritten outputDigest } } }`;
    const res = await s.gql(q);
    expect(res.status).toBe(400);
    expectError(
      res,
      'BAD_USER_INPUT',
      new RegExp(`operation 'Wide' has complexity 5,002; the limit is 5,000`),
    );
    // The same selection with a smaller page is fine.
    expect((await s.gql(q.replace('first: 500', 'first: 100'))).errors).toBeUndefined();
  });

  it(`refuses a body over ${LIMITS.maxBodyBytes} bytes with 413 and a JSON error`, async () => {
    const body = JSON.stringify({
      query: '{ runs { totalCount } }',
      variables: { pad: 'x'.repeat(LIMITS.maxBodyBytes) },
    });
    const res = await request(s.server.httpServer)
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.errors[0].message).toMatch(
      new RegExp(`request body exceeds ${LIMITS.maxBodyBytes} bytes`),
    );
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a malformed JSON body with 400 and a JSON error', async () => {
    const res = await request(s.server.httpServer)
      .post('/graphql')
      .set('Content-Type', 'application/json')
      .send('{"query": "{ runs { totalCount } }"');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.errors[0].message).toMatch(/request body is not valid JSON/);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('reports GraphQL syntax and validation errors with their own codes', async () => {
    const syntax = await s.gql('{ runs { totalCount ');
    expect(syntax.status).toBe(400);
    expectError(syntax, 'GRAPHQL_PARSE_FAILED');
    const unknown = await s.gql('{ runs { total } }');
    expect(unknown.status).toBe(400);
    expectError(unknown, 'GRAPHQL_VALIDATION_FAILED', /Cannot query field "total"/);
  });
});

describe(`internal errors (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  let logged: string[];

  beforeEach(async () => {
    rt = await createTestRuntime();
    logged = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        logged.push(String(chunk));
        done();
      },
    });
    // Same runtime, but a logger whose output the test can read.
    s = await startServer({ ...rt, logger: pino({ level: 'error' }, sink) });
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  it('turns an unexpected failure into INTERNAL without leaking its message or stack, and logs it with the stack', async () => {
    // A real failure below the service layer: the database connection pool is gone.
    await rt.store.db.destroy();
    const res = await s.gql('{ runs { totalCount } }');
    const err = expectError(res, 'INTERNAL');
    expect(err.message).toBe('Internal server error');
    expect(Object.keys(err.extensions!)).toEqual(['code']);
    const raw = JSON.stringify(res);
    expect(raw).not.toMatch(/stack|pool|knex|acquire|connection|at .*\.ts/i);
    const entry = logged
      .map((l) => JSON.parse(l) as { msg: string; err?: { stack?: string; message?: string } })
      .find((l) => l.msg === 'internal error in GraphQL operation');
    expect(entry?.err?.stack).toMatch(/\n\s+at /);
    expect(entry?.err?.message).not.toBe('');
  });
});
