/**
 * Fault: GraphQL documents and inputs built to stall the server (issue 14.5, 14.6, 14.10),
 * each with a /healthz probe beside it that fails the test when any answer takes longer
 * than 1 s: doubling fragments (2^24 fields in about 1 KB) over HTTP and WebSocket, 2,000
 * aliases of contracts { yaml }, a 15 MB query text, and JSON arguments 100,000 levels deep.
 * Every one is refused with BAD_USER_INPUT (or GRAPHQL_PARSE_FAILED for the text) and the
 * server stays responsive, on SQLite and on PostgreSQL.
 */
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ENGINES, observe, type Workspace } from './support/workspace';
import { metersContract, pushContract } from './support/data';
import { codes, gql, type GqlResult } from './support/client';
import type { Instance } from './support/instance';
import { besideProbe, expectResponsive, probed } from './support/healthz-probe';

const FAULT = 'GraphQL built to stall the server';

function doubling(n: number, root = 'query FanOut { runs { nodes { ...F' + n + ' } } }'): string {
  let text = `${root}\nfragment F0 on Run { id }\n`;
  for (let i = 1; i <= n; i++)
    text += `fragment F${i} on Run { parent { ...F${i - 1} } p: parent { ...F${i - 1} } }\n`;
  return text;
}

const deep = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const brief = (r: GqlResult) => `${r.status} ${codes(r).join(',') || 'ok'}`;

describe.each(ENGINES)(`${FAULT} (%s)`, (engine) => {
  let ws: Workspace;
  let a: Instance;
  const report = (tried: string, observed: string) => observe(FAULT, `${engine}: ${tried}`, observed);

  beforeAll(async () => {
    ws = await createWorkspace(`dos-${engine}`);
    ws.addContract('meters.yaml', metersContract('meters', 'meters'));
    ws.addContract('pings.yaml', pushContract('pings'));
    a = await ws.start('a', { engine });
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await ws?.diagnose();
  });
  afterAll(async () => {
    await ws?.dispose();
  });

  it('doubling fragments (2^24 fields) over HTTP and WebSocket → BAD_USER_INPUT, /healthz within 1 s', async () => {
    const text = doubling(24);
    const { out, probe } = await besideProbe(a.baseUrl, async () => {
      const http = await gql(a.graphqlUrl, text, undefined, { timeoutMs: 30_000 });
      const client = createClient({ url: a.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
      const sub = doubling(24, 'subscription FanOut { runStatusChanged { ...F24 } }');
      const wsAnswer = await new Promise<unknown>((resolve) =>
        client.subscribe(
          { query: sub },
          { next: resolve, error: resolve, complete: () => resolve('complete') },
        ),
      );
      await client.dispose();
      return { http, ws: wsAnswer as Array<{ message: string; extensions?: { code?: string } }> };
    });
    expect(out.http.status).toBe(400);
    expect(codes(out.http)).toContain('BAD_USER_INPUT');
    expect(out.http.errors![0]!.message).toMatch(/fields with its fragments spread; the limit is 2,000/);
    expect(Array.isArray(out.ws) && out.ws[0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expectResponsive(probe);
    report(
      `${text.length}-character query of doubling fragments (2^24 fields) over HTTP and as a WebSocket subscription`,
      `HTTP ${brief(out.http)} in ${out.http.ms} ms ("${out.http.errors![0]!.message}"); WebSocket BAD_USER_INPUT; ${probed(probe)}`,
    );
  });

  it('2,000 aliases of contracts { yaml }, and a 15 MB query text → refused at once, /healthz within 1 s', async () => {
    const aliases = `{ ${Array.from({ length: 2_000 }, (_, i) => `c${i}: contracts { yaml }`).join(' ')} }`;
    const huge = `{ ${'__typename '.repeat(1_400_000)}}`;
    const { out, probe } = await besideProbe(a.baseUrl, async () => ({
      aliases: await gql(a.graphqlUrl, aliases, undefined, { timeoutMs: 30_000 }),
      weighted: await gql(
        a.graphqlUrl,
        `{ ${Array.from({ length: 60 }, (_, i) => `c${i}: contracts { yaml }`).join(' ')} }`,
        undefined,
        { timeoutMs: 30_000 },
      ),
      huge: await gql(a.graphqlUrl, huge, undefined, { timeoutMs: 30_000 }),
    }));
    expect(out.aliases.status).toBe(400);
    expect(out.aliases.errors!.map((e) => e.message)).toContain(
      "operation 'anonymous' has 2,000 aliases; the limit is 100",
    );
    expect(out.weighted.errors![0]!.message).toMatch(/has complexity 6,060; the limit is 5,000/);
    expect(out.huge.status).toBe(400);
    expect(codes(out.huge)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(out.huge.errors![0]!.message).toMatch(/more that 20000 tokens/);
    expectResponsive(probe);
    report(
      `2,000 aliases of contracts { yaml }; 60 aliases (under the alias cap, over the weighted cost); a ${(huge.length / 1e6).toFixed(1)} MB query text`,
      `${brief(out.aliases)} in ${out.aliases.ms} ms ("…2,000 aliases; the limit is 100"); ${brief(out.weighted)} ("complexity 6,060"); ${brief(out.huge)} in ${out.huge.ms} ms (token limit 20,000); ${probed(probe)}`,
    );
  });

  it('JSON arguments 100,000 levels deep in features(entities:) and ingest(records:) → BAD_USER_INPUT naming the variable', async () => {
    const raw = (query: string, variables: string) =>
      `{"query":${JSON.stringify(query)},"variables":${variables}}`;
    const { out, probe } = await besideProbe(a.baseUrl, async () => ({
      features: await gql(a.graphqlUrl, '', undefined, {
        rawBody: raw(
          'query($e: [JSON!]!) { features(contract: "meters", entities: $e) { entity } }',
          `{"e":[${deep(100_000)}]}`,
        ),
      }),
      ingest: await gql(a.graphqlUrl, '', undefined, {
        rawBody: raw(
          'mutation($r: [JSON!]!) { ingest(contract: "pings", records: $r) { id } }',
          `{"r":[{"sensor":"s1","value":${deep(100_000)}}]}`,
        ),
      }),
    }));
    for (const [name, r] of [
      ['$e', out.features],
      ['$r', out.ingest],
    ] as const) {
      expect(r.status).toBe(400);
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0]!.message).toContain(`Variable "${name}"`);
      expect(r.errors![0]!.message).toMatch(/JSON value nested deeper than 32 levels/);
    }
    expectResponsive(probe);
    report(
      'features(entities: $e) and ingest(records: $r) with a JSON value 100,000 levels deep',
      `${brief(out.features)}, ${brief(out.ingest)} ("Variable "$e" got invalid value …; JSON value nested deeper than 32 levels"); ${probed(probe)}`,
    );
  });
});
