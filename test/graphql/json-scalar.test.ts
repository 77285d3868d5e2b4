/**
 * JSON input bounded in depth: a JSON argument or variable nested deeper than
 * LIMITS.maxJsonDepth is refused BAD_USER_INPUT naming the argument or variable, at
 * any depth (100,000 levels answered INTERNAL before), and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonDepthOver } from '../../src/graphql/json-depth';
import { LIMITS } from '../../src/graphql/limits';
import { testEngine } from '../support/engine';
import { createTestRuntime, countRows, type TestRuntime } from '../support/runtime';
import { expectError, repoFile, startServer, type GqlResponse, type TestServer } from '../support/graphql';

/** `depth` nested arrays as JSON text: JSON.stringify itself overflows on 100,000 levels. */
const deepText = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

/** An array nested `depth` levels deep around `inner`. */
function nested(depth: number, inner: unknown = 1): unknown {
  let v = inner;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('jsonDepthOver', () => {
  it('counts arrays and objects, not scalars, without recursion', () => {
    expect(jsonDepthOver(1, 0)).toBe(false);
    expect(jsonDepthOver({ a: [1] }, 2)).toBe(false);
    expect(jsonDepthOver({ a: [1] }, 1)).toBe(true);
    expect(jsonDepthOver(nested(LIMITS.maxJsonDepth), LIMITS.maxJsonDepth)).toBe(false);
    expect(jsonDepthOver(nested(LIMITS.maxJsonDepth + 1), LIMITS.maxJsonDepth)).toBe(true);
    expect(jsonDepthOver(JSON.parse(deepText(1_000_000)), LIMITS.maxJsonDepth)).toBe(true);
  });
});

describe(`JSON arguments bounded in depth (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  const deepMessage = new RegExp(`JSON value nested deeper than ${LIMITS.maxJsonDepth} levels`);

  /** POST /graphql with the variables given as JSON text. */
  async function post(query: string, variables: string): Promise<GqlResponse> {
    const res = await fetch(s.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: `{"query":${JSON.stringify(query)},"variables":${variables}}`,
    });
    const body = (await res.json()) as { data?: unknown; errors?: GqlResponse['errors'] };
    return { status: res.status, data: body.data ?? null, errors: body.errors };
  }

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [repoFile('contracts/card_transactions.yaml')] });
    s = await startServer(rt);
  });
  afterAll(async () => {
    await s?.close();
    await rt?.dispose();
  });

  it('refuses features(entities: $e) 100,000 deep, naming the variable', async () => {
    const res = await post(
      'query($e: [JSON!]!) { features(contract: "card_transactions", entities: $e) { entity } }',
      `{"e":[${deepText(100_000)}]}`,
    );
    expect(res.status).toBe(400);
    const err = expectError(res, 'BAD_USER_INPUT', deepMessage);
    expect(err.message).toMatch(/Variable "\$e"/);
  });

  it('refuses ingest(records: $r) with a deep record and stores nothing', async () => {
    const runs = await countRows(rt, 'runs');
    const res = await post(
      'mutation($r: [JSON!]!) { ingest(contract: "card_transactions", records: $r) { id } }',
      `{"r":[{"card_id":"c1","amount":${deepText(100_000)}}]}`,
    );
    expect(res.status).toBe(400);
    expectError(res, 'BAD_USER_INPUT', /Variable "\$r".*JSON value nested deeper than 32 levels/);
    expect(await countRows(rt, 'runs')).toBe(runs);
  });

  it('refuses a deep literal and a deep variable inside a literal, naming the argument', async () => {
    const literal = JSON.stringify(nested(LIMITS.maxJsonDepth + 1));
    const res = await s.gql(
      `{ lineage(contract: "card_transactions", entity: ${literal}) { nodes { id } } }`,
    );
    expect(res.status).toBe(400);
    expectError(
      res,
      'BAD_USER_INPUT',
      /argument 'entity' holds JSON nested deeper than 32 levels; the limit is 32/,
    );
    const list = await s.gql(
      `{ features(contract: "card_transactions", entities: [${literal}]) { entity } }`,
    );
    expectError(list, 'BAD_USER_INPUT', /argument 'entities' holds JSON nested deeper than 32 levels/);
    const fits = JSON.stringify(nested(LIMITS.maxJsonDepth));
    const ok = await s.gql(`{ features(contract: "card_transactions", entities: [${fits}]) { entity } }`);
    expect(JSON.stringify(ok.errors ?? [])).not.toMatch(/nested deeper/);
    const inner = await post(
      'query($v: JSON) { features(contract: "card_transactions", entities: [{ card_id: $v }]) { entity } }',
      `{"v":${deepText(100_000)}}`,
    );
    expectError(inner, 'BAD_USER_INPUT', deepMessage);
  });

  it(`still takes JSON ${LIMITS.maxJsonDepth} levels deep`, async () => {
    const res = await s.gql(
      'query($e: JSON) { lineage(contract: "card_transactions", entity: $e) { nodes { id } } }',
      {
        e: nested(LIMITS.maxJsonDepth - 1, { card_id: 'c1' }),
      },
    );
    expect(res.errors?.[0]?.message ?? '').not.toMatch(deepMessage);
  });
});
