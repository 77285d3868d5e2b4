/**
 * What tools and the explorer send first: the standard introspection query passes over
 * HTTP and WebSocket, while documents over the limits are refused on both roads, with
 * lists sized by the request's variables; a subscription over HTTP is told where to
 * go; the root URL leads to the explorer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { getIntrospectionQuery } from 'graphql';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { collect, expectError, startServer, type Loose, type TestServer } from '../support/graphql';
import { createServer } from '../../src/server';

const STANDARD = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});

function doubling(n: number): string {
  let text = `query FanOut { runs { nodes { ...F${n} } } }\nfragment F0 on Run { id }\n`;
  for (let i = 1; i <= n; i++)
    text += `fragment F${i} on Run { parent { ...F${i - 1} } p: parent { ...F${i - 1} } }\n`;
  return text;
}

const RICH_RUNS =
  'query Page($n: Int) { runs(first: $n) { nodes { id status rowsRead rowsWritten rowsValid rowsRejected rowsFiltered trigger environment contract } } }';

describe(`introspection and limits on every road (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;

  beforeAll(async () => {
    rt = await createTestRuntime();
    s = await startServer(rt);
  });
  afterAll(async () => {
    await s?.close();
    await rt?.dispose();
  });

  /** A query over the WebSocket: its data, or the errors it was refused with. */
  async function overWs(query: string, variables?: Record<string, unknown>): Promise<Loose> {
    const c = collect<Loose>(await s.wsClient(), query, variables);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (c.events.length > 0 || c.errors.length > 0 || c.completed) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    return c.errors.length > 0 ? { errors: c.errors } : { data: c.events[0] };
  }

  it('answers the standard introspection query over HTTP', async () => {
    const res = await s.gql(STANDARD);
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data.__schema.queryType.name).toBe('Query');
    const json = res.data.__schema.types.find((t: { name: string }) => t.name === 'JSON');
    expect(json.specifiedByURL).toMatch(/ECMA-404/);
  });

  it('answers the standard introspection query over WebSocket', async () => {
    const res = await overWs(STANDARD);
    expect(res.errors).toBeUndefined();
    expect(res.data.__schema.subscriptionType.name).toBe('Subscription');
  });

  it('refuses nested introspection lists on both roads', async () => {
    const q =
      '{ __type(name: "Run") { fields { type { fields { type { fields { type { fields { name } } } } } } } } }';
    expectError(await s.gql(q), 'BAD_USER_INPUT', /nests 4 introspection lists; the limit is 3/);
    const ws = await overWs(q);
    expect(ws.errors[0][0].message).toMatch(/nests 4 introspection lists/);
  });

  it('refuses 2^24 fields of doubling fragments on both roads, naming the expanded size', async () => {
    const res = await s.gql(doubling(24));
    expect(res.status).toBe(400);
    expectError(res, 'BAD_USER_INPUT', /has 50,331,648 fields with its fragments spread; the limit is 2,000/);
    const ws = await overWs(
      doubling(24)
        .replace('query FanOut', 'subscription FanOut')
        .replace('runs { nodes {', 'runStatusChanged {')
        .replace('} } }\n', '} }\n'),
    );
    expect(ws.errors[0][0].message).toMatch(/fields with its fragments spread; the limit is 2,000/);
    expect(ws.errors[0][0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('sizes lists by the variables of each request, on the fast path and over WebSocket', async () => {
    // The same text twice: the second time it is a cached document on the fast path.
    for (let i = 0; i < 2; i++) {
      expect((await s.gql(RICH_RUNS, { n: 100 })).errors).toBeUndefined();
      const res = await s.gql(RICH_RUNS, { n: 500 });
      expect(res.status).toBe(400);
      expectError(res, 'BAD_USER_INPUT', /operation 'Page' has complexity 5,002; the limit is 5,000/);
    }
    const ws = await overWs(RICH_RUNS, { n: 500 });
    expect(ws.errors[0][0].message).toMatch(/has complexity 5,002/);
  });

  it('answers a subscription sent over HTTP with 400 and where to send it', async () => {
    const res = await s.gql('subscription { runStatusChanged { id status } }');
    expect(res.status).toBe(400);
    expectError(res, 'BAD_USER_INPUT', /subscriptions go over WebSocket \(graphql-ws\) at this URL/);
  });

  it('answers the same through Express alone (no direct HTTP path)', async () => {
    const server = await createServer(rt, { directGraphqlHttp: false });
    try {
      const http = request(server.httpServer);
      const ok = await http.post('/graphql').set('Accept', 'application/json').send({ query: STANDARD });
      expect(ok.status).toBe(200);
      const fan = await http
        .post('/graphql')
        .set('Accept', 'application/json')
        .send({ query: doubling(20) });
      expect(fan.status).toBe(400);
      expect(fan.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      const big = await http
        .post('/graphql')
        .set('Accept', 'application/json')
        .send({ query: RICH_RUNS, variables: { n: 500 } });
      expect(big.status).toBe(400);
      expect(big.body.errors[0].message).toMatch(/complexity 5,002/);
    } finally {
      await server.stop();
    }
  });
});
