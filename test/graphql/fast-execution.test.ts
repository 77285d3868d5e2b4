/**
 * The fast execution path (src/graphql/fast-execution.ts) against Apollo: the same
 * runtime served twice, once with the fast path and once with every request left to
 * Apollo (`fastExecution: false`), must answer byte for byte alike: status, every
 * header but the date, body. Each request is sent twice, so the second one meets a
 * cached document. The unit tests below show which requests the fast path answers
 * itself and which it leaves to Apollo, and that it measures what it answers.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildSchema } from 'graphql';
import { LIMITS, limitRules } from '../../src/graphql/limits';
import { fastExecution, type FastExecution } from '../../src/graphql/fast-execution';
import { createErrorFormatter } from '../../src/graphql/error-format';
import { graphqlMetricsPlugin, graphqlRequestMetrics } from '../../src/graphql/metrics.plugin';
import { noStorePlugin } from '../../src/graphql/no-store.plugin';
import { createMetrics, type Metrics } from '../../src/observability/metrics';
import { silentLogger } from '../../src/observability/logger';
import type { GraphQLContext } from '../../src/graphql/context';
import { testEngine } from '../support/engine';
import { pairedServers, type PairedServers } from './paired-servers';
import { createServer } from '../../src/server';
import { createTestRuntime } from '../support/runtime';

interface Raw {
  status: number;
  /** Raw header lines, in order, without the date (which differs by the second). */
  headers: string[];
  body: string;
}

function post(
  port: number,
  body: string,
  headers: Record<string, string> = {},
  path = '/graphql',
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            if (res.rawHeaders[i]!.toLowerCase() !== 'date')
              headers.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
          resolve({ status: res.statusCode!, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const q = (query: string, variables?: unknown, operationName?: string) =>
  JSON.stringify({ query, variables, operationName });

/** Sends each request to both servers, twice; every answer must be the same bytes. */
function sameBytes(ports: { fast: number; apollo: number }) {
  return async (body: string, headers?: Record<string, string>, path?: string): Promise<Raw> => {
    const answers: Raw[] = [];
    for (let i = 0; i < 2; i++) {
      const fast = await post(ports.fast, body, headers, path);
      const apollo = await post(ports.apollo, body, headers, path);
      expect(fast).toEqual(apollo);
      answers.push(fast);
    }
    return answers[0]!;
  };
}

const FEATURES =
  'query($e: [JSON!]!) { features(contract: "items", entities: $e) { entity eventTime values } }';

describe(`fast execution vs Apollo, byte for byte (${testEngine()})`, () => {
  let servers: PairedServers;
  const ports = { fast: 0, apollo: 0 };
  const same = sameBytes(ports);

  beforeAll(async () => {
    servers = await pairedServers({}, { fastExecution: false }, { items: true });
    ports.fast = servers.ports.a;
    ports.apollo = servers.ports.b;
  });
  afterAll(() => servers.stop());

  it('answers a successful read alike', async () => {
    const a = await same(q(FEATURES, { e: ['apple', 'pear', 'plum'] }));
    expect(a.status).toBe(200);
    expect(a.headers).toContain('cache-control: no-store');
    expect(a.headers).toContain('content-type: application/json; charset=utf-8');
    expect(JSON.parse(a.body).data.features[0].values).toEqual({ price: 1.5, day: '2024-05-01' });
    await same(q('{ contracts { name version } }'));
    await same(q(FEATURES, { e: ['apple'] }), { accept: 'application/json' });
    await same(q(FEATURES, { e: ['apple'] }), { accept: '*/*' });
    await same(q(FEATURES, { e: ['apple'] }), { accept: 'application/graphql-response+json' });
    await same(q('{ contracts { name } }'), undefined, '/graphql?x=1');
  });

  it('answers a resolver error alike (unknown contract, bad input)', async () => {
    const a = await same(q('{ features(contract: "nope", entities: ["a"]) { values } }'));
    expect(JSON.parse(a.body).errors[0].extensions.code).toBe('NOT_FOUND');
    const b = await same(
      q(FEATURES.replace('entities: $e', 'entities: $e, features: ["nope"]'), { e: ['apple'] }),
    );
    expect(JSON.parse(b.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('answers validation and syntax errors alike', async () => {
    expect((await same(q('{ contracts { nope } }'))).status).toBe(400);
    expect((await same(q('{ contracts { name '))).status).toBe(400);
    const deep = `{ run(id: "x") { ${'parent { '.repeat(LIMITS.maxDepth)}id${' }'.repeat(LIMITS.maxDepth)} } }`;
    expect((await same(q(deep))).status).toBe(400);
  });

  it('answers variable coercion errors alike', async () => {
    expect((await same(q(FEATURES, { e: null }))).status).toBe(400);
    expect((await same(q(FEATURES))).status).toBe(400);
    await same(
      q('query($t: DateTime) { features(contract: "items", entities: ["apple"], asOf: $t) { values } }', {
        t: 'soon',
      }),
    );
  });

  it('selects the operation by name alike, and refuses a name that picks none alike', async () => {
    const doc =
      'query A { contracts { name } } query B { features(contract: "items", entities: ["pear"]) { values } }';
    const b = await same(q(doc, undefined, 'B'));
    expect(JSON.parse(b.body).data.features[0].values.price).toBe(4);
    await same(q(doc, undefined, 'A'));
    expect((await same(q(doc))).status).toBe(400);
    expect((await same(q(doc, undefined, 'C'))).status).toBe(400);
    await same(JSON.stringify({ query: 'query A { contracts { name } }', operationName: null }));
  });

  it('answers mutations, introspection and other request shapes alike', async () => {
    const m = await same(q('mutation { ingest(contract: "nope", records: []) { id } }'));
    expect(JSON.parse(m.body).errors[0].extensions.code).toBe('NOT_FOUND');
    await same(q('{ __schema { queryType { name } } }'));
    await same(q('{ __typename }'));
    await same(
      JSON.stringify({ query: '{ contracts { name } }', extensions: { persistedQuery: { version: 1 } } }),
    );
    await same(JSON.stringify({ query: '{ contracts { name } }', variables: 'x' }));
    await same(JSON.stringify({ query: '' }));
  });
});

describe(`fast execution in the server as built (${testEngine()})`, () => {
  it('is on: no Apollo plugin acts per request without being mirrored', async () => {
    const rt = await createTestRuntime();
    const warn = vi.spyOn(rt.logger, 'warn');
    const server = await createServer(rt);
    try {
      expect(warn.mock.calls.map((c) => String(c[1]))).not.toContainEqual(
        expect.stringContaining('fast GraphQL execution is off'),
      );
    } finally {
      await server.stop();
      await rt.dispose();
    }
  });
});

describe(`fast execution vs Apollo: keys and the rate limit (${testEngine()})`, () => {
  let servers: PairedServers;
  const ports = { fast: 0, apollo: 0 };
  const same = sameBytes(ports);

  beforeAll(async () => {
    // Six requests per server (each request is sent twice), then refused.
    servers = await pairedServers(
      { authMode: 'required' },
      { authMode: 'required', fastExecution: false },
      { items: true, rateBurst: 6 },
    );
    ports.fast = servers.ports.a;
    ports.apollo = servers.ports.b;
  });
  afterAll(() => servers.stop());

  it('refuses a missing or unknown key alike, forbids a reader to write alike, then limits alike', async () => {
    expect((await same(q(FEATURES, { e: ['apple'] }))).status).toBe(401);
    expect((await same(q(FEATURES, { e: ['apple'] }), { authorization: 'Bearer tmk_nope' })).status).toBe(
      401,
    );
    const { secret } = await servers.rt.keys.create('tests', 'reader', 'tests');
    const auth = { authorization: `Bearer ${secret}` };
    expect((await same(q(FEATURES, { e: ['apple'] }), auth)).status).toBe(200);
    const forbidden = await same(q('mutation { ingest(contract: "items", records: []) { id } }'), auth);
    expect(JSON.parse(forbidden.body).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await same(q(FEATURES, { e: ['apple'] }), auth)).status).toBe(200);
    expect((await same(q(FEATURES, { e: ['apple'] }), auth)).status).toBe(429);
  });
});

describe('fastExecution: what it answers itself', () => {
  const schema = buildSchema(`
    type Query { hello(name: String): String, boom: String }
    type Mutation { bump: Int }
  `);
  const fields = schema.getQueryType()!.getFields();
  fields.hello!.resolve = (_src, args: { name?: string }) => `hi ${args.name ?? 'you'}`;
  fields.boom!.resolve = () => {
    throw new Error('boom');
  };
  schema.getMutationType()!.getFields().bump!.resolve = () => 1;
  let metrics: Metrics;
  let run: FastExecution;

  const json = { search: '', accept: undefined, contentType: 'application/json' };
  const context = () => ({}) as GraphQLContext;

  beforeAll(() => {
    metrics = createMetrics();
    run = fastExecution({
      schema,
      validationRules: limitRules(),
      formatError: createErrorFormatter(silentLogger()),
      metrics: graphqlRequestMetrics(metrics),
      plugins: [noStorePlugin(), graphqlMetricsPlugin(graphqlRequestMetrics(metrics))],
    })!;
  });

  async function count(labels: Record<string, string>): Promise<number | undefined> {
    const { values } = await metrics.graphqlDuration.get();
    return values.find(
      (v) =>
        v.metricName === 'tidemark_graphql_request_duration_seconds_count' &&
        Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val),
    )?.value;
  }

  it('answers valid queries, errors included, and measures them', async () => {
    const ok = await run(
      { ...json, body: { query: 'query Hello($n: String) { hello(name: $n) }', variables: { n: 'x' } } },
      context,
    );
    expect(ok).toEqual({
      status: 200,
      headers: ['cache-control', 'no-store', 'content-type', 'application/json; charset=utf-8'],
      body: '{"data":{"hello":"hi x"}}\n',
    });
    const boom = await run({ ...json, body: { query: 'query Boom { boom }' } }, context);
    expect(JSON.parse(boom!.body)).toEqual({
      errors: [
        {
          message: 'Internal server error',
          locations: [{ line: 1, column: 14 }],
          path: ['boom'],
          extensions: { code: 'INTERNAL' },
        },
      ],
      data: { boom: null },
    });
    expect(await count({ operation: 'Hello', type: 'query', outcome: 'ok' })).toBe(1);
    expect(await count({ operation: 'Boom', type: 'query', outcome: 'error' })).toBe(1);
  });

  it('leaves to Apollo what Apollo must answer', async () => {
    const leaves = async (request: Partial<Parameters<FastExecution>[0]>) =>
      expect(await run({ ...json, body: { query: '{ hello }' }, ...request }, context)).toBeNull();
    await leaves({ body: { query: 'mutation { bump }' } });
    await leaves({ body: { query: '{ nope }' } });
    await leaves({ body: { query: '{ hello' } });
    await leaves({ body: { query: '{ __schema { queryType { name } } }' } });
    await leaves({ body: { query: 'query($n: String!) { hello(name: $n) }', variables: {} } });
    await leaves({ body: { query: 'query A { hello } query B { boom }' } });
    await leaves({ body: { query: 'query A { hello }', operationName: 'B' } });
    await leaves({ body: { query: '{ hello }', extensions: {} } });
    await leaves({ body: [{ query: '{ hello }' }] });
    await leaves({ search: '?query=x' });
    await leaves({ accept: 'application/graphql-response+json' });
    await leaves({ contentType: 'text/plain' });
    await leaves({ contentType: undefined });
    expect(await count({ operation: 'anonymous', type: 'query', outcome: 'ok' })).toBeUndefined();
  });

  it('stays off beside an Apollo plugin whose per-request hooks it would skip', () => {
    const options = {
      schema,
      validationRules: limitRules(),
      formatError: createErrorFormatter(silentLogger()),
      metrics: graphqlRequestMetrics(createMetrics()),
    };
    const logging = { __internal_plugin_id__: 'Logging', requestDidStart: async () => ({}) };
    expect(fastExecution({ ...options, plugins: [noStorePlugin(), logging] })).toBeNull();
    expect(fastExecution({ ...options, plugins: [{ serverWillStart: async () => {} }] })).not.toBeNull();
  });
});
