/**
 * The direct GraphQL-over-HTTP path (src/graphql/http.ts) against the reference: the
 * same runtime served twice, once with the direct path and once through Express only
 * (`directGraphqlHttp: false`), must answer every request alike: status, body,
 * content type and cache-control. Requests the direct path does not take (other
 * content types, chunked bodies) are checked to still be answered by Express.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/graphql/limits';
import { testEngine } from '../support/engine';
import { pairedServers, type PairedServers } from './paired-servers';

interface Answer {
  status: number;
  body: string;
  type: string | undefined;
  cacheControl: string | undefined;
  length: string | undefined;
  etag: string | undefined;
}

function post(
  port: number,
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  path = '/graphql',
  chunked = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: chunked ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            body: Buffer.concat(chunks).toString('utf8'),
            type: res.headers['content-type'],
            cacheControl: res.headers['cache-control'],
            length: res.headers['content-length'],
            etag: res.headers.etag,
          }),
        );
      },
    );
    req.on('error', reject);
    if (chunked) {
      const b = Buffer.from(body);
      req.write(b.subarray(0, 3));
      req.end(b.subarray(3));
    } else req.end(body);
  });
}

const q = (query: string, variables?: unknown) => JSON.stringify({ query, variables });

/** Every request goes to both servers; the answers must be equal. */
function sameAnswers(servers: () => { direct: number; express: number }) {
  return async (
    body: string | Buffer,
    headers?: Record<string, string>,
    path?: string,
  ): Promise<Answer & { express: Answer }> => {
    const { direct, express } = servers();
    const a = await post(direct, body, headers, path);
    const b = await post(express, body, headers, path);
    expect(a.status).toBe(b.status);
    expect(a.type).toBe(b.type);
    expect(a.cacheControl).toBe(b.cacheControl);
    expect(a.body).toBe(b.body);
    expect(Number(a.length)).toBe(Buffer.byteLength(a.body));
    return { ...a, express: b };
  };
}

describe(`direct GraphQL over HTTP vs Express (${testEngine()})`, () => {
  let servers: PairedServers;
  const ports = { direct: 0, express: 0 };
  const same = sameAnswers(() => ports);

  beforeAll(async () => {
    servers = await pairedServers({}, { directGraphqlHttp: false }, { items: true });
    ports.direct = servers.ports.a;
    ports.express = servers.ports.b;
  });
  afterAll(() => servers.stop());

  it('answers queries alike: data, variables, operation names, a query string', async () => {
    const a = await same(
      q(
        'query($e: [JSON!]!) { features(contract: "items", entities: $e) { entity eventTime values features { name value type } } }',
        {
          e: ['apple', 'pear', 'plum'],
        },
      ),
    );
    expect(a.status).toBe(200);
    expect(JSON.parse(a.body).data.features[0].values).toEqual({ price: 1.5, day: '2024-05-01' });
    expect(a.cacheControl).toBe('no-store');
    // The one difference, and the proof that the two paths differ: no ETag on the direct answer.
    expect(a.etag).toBeUndefined();
    expect(a.express.etag).toBeDefined();
    await same(
      JSON.stringify({ query: 'query Named { contracts { name version } }', operationName: 'Named' }),
    );
    await same(q('{ contracts { name } }'), undefined, '/graphql?x=1');
    await same(`  \n ${q('{ contracts { name } }')}`);
    await same(q('{ contracts { name } }'), { 'content-type': 'application/json; charset=UTF-8' });
    await same(q('{ contracts { name } }'), { 'content-type': 'Application/JSON;charset="utf-8"' });
  });

  it('answers errors alike: resolver errors, syntax, validation, limits, variables, batching', async () => {
    expect((await same(q('{ features(contract: "nope", entities: ["a"]) { values } }'))).status).toBe(200);
    expect((await same(q('{ contracts { name '))).status).toBe(400);
    expect((await same(q('{ contracts { nope } }'))).status).toBe(400);
    const deep = `{ run(id: "x") { ${'parent { '.repeat(LIMITS.maxDepth)}id${' }'.repeat(LIMITS.maxDepth)} } }`;
    expect((await same(q(deep))).status).toBe(400);
    await same(q('query($e: [JSON!]!) { features(contract: "items", entities: $e) { values } }', { e: 3 }));
    await same(q('query($e: [JSON!]!) { features(contract: "items", entities: $e) { values } }'));
    await same(JSON.stringify({ variables: {} }));
    await same(JSON.stringify([{ query: '{ contracts { name } }' }]));
    await same(JSON.stringify({ query: 42 }));
  });

  it('answers bodies that are not a plain JSON object as body-parser does', async () => {
    expect((await same('{"query": ')).status).toBe(400);
    expect((await same('"just a string"')).status).toBe(400);
    expect((await same('123')).status).toBe(400);
    await same('');
    await same(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(q('{ contracts { name } }'))]));
    await same(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
  });

  it('leaves other content types and chunked bodies to Express', async () => {
    const plain = await same(q('{ contracts { name } }'), { 'content-type': 'text/plain' });
    expect(plain.etag).toBeDefined();
    await same(q('{ contracts { name } }'), { 'content-type': 'application/json; charset=latin1' });
    await same('query=%7B%20contracts%20%7B%20name%20%7D%20%7D', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    const chunked = await post(
      ports.direct,
      q('{ contracts { name } }'),
      { 'content-type': 'application/json' },
      '/graphql',
      true,
    );
    expect(chunked.status).toBe(200);
    expect(JSON.parse(chunked.body).data.contracts).toEqual([{ name: 'items' }]);
  });
});

describe(`direct GraphQL over HTTP: keys and the rate limit (${testEngine()})`, () => {
  let servers: PairedServers;
  const ports = { direct: 0, express: 0 };
  const same = sameAnswers(() => ports);

  beforeAll(async () => {
    // Three requests per server, then refused.
    servers = await pairedServers(
      { authMode: 'required' },
      { authMode: 'required', directGraphqlHttp: false },
      { rateBurst: 3 },
    );
    ports.direct = servers.ports.a;
    ports.express = servers.ports.b;
  });
  afterAll(() => servers.stop());

  it('refuses a missing or unknown key with 401, honours a key, then answers 429 past the limit', async () => {
    const json = { 'content-type': 'application/json' };
    expect((await same(q('{ contracts { name } }'), json)).status).toBe(401);
    expect(
      (await same(q('{ contracts { name } }'), { ...json, authorization: 'Bearer tmk_nope' })).status,
    ).toBe(401);
    const { secret } = await servers.rt.keys.create('tests', 'reader', 'tests');
    const auth = { ...json, authorization: `Bearer ${secret}` };
    expect((await same(q('{ contracts { name } }'), auth)).status).toBe(200);
    // A reader may not write: the resolver's role check answers alike.
    await same(q('mutation { ingest(contract: "x", records: []) { id } }'), auth);
    expect((await same(q('{ contracts { name } }'), auth)).status).toBe(200);
    expect((await same(q('{ contracts { name } }'), auth)).status).toBe(429);
  });
});
