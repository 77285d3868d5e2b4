/**
 * Fault: malformed, oversized and hostile input against one instance with keys
 * required: bad JSON, bodies over the limit, deep and costly queries, lists over their
 * limits, SQL-looking strings. Each is refused with a clear code and leaves the store
 * exactly as it was (see support/guarded.ts).
 */
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { observe } from './support/workspace';
import { pushContract, pushRecords } from './support/data';
import { codes, gqlOk } from './support/client';
import type { Counts } from './support/pg';
import { brief, LIMITS, openGuarded, SQL, type Guarded } from './support/guarded';

const FAULT = 'malformed, oversized and hostile input';

describe(FAULT, () => {
  let g: Guarded;
  // Short names for the tests below.
  const call: Guarded['call'] = (...args) => g.call(...args);
  const nothingStored: Guarded['nothingStored'] = (fn) => g.nothingStored(fn);

  beforeAll(async () => {
    g = await openGuarded('input');
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await g?.ws.diagnose();
  });

  afterAll(async () => {
    await g?.ws.dispose();
  });

  it('malformed JSON body → 400 BAD_USER_INPUT', async () => {
    const r = await nothingStored(() =>
      call('', undefined, g.key.admin, '{"query": "{ runs { totalCount } "'),
    );
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    const notJson = await nothingStored(() => call('', undefined, g.key.admin, 'DROP TABLE runs'));
    expect(notJson.status).toBe(400);
    observe(
      FAULT,
      'malformed JSON body; a body that is not JSON at all',
      `${brief(r)} ("${r.errors![0]!.message.slice(0, 60)}…"); ${brief(notJson)}; nothing stored`,
    );
  });

  it('body over the limit → 413', async () => {
    const pad = 'x'.repeat(LIMITS.body + 1024);
    const body = JSON.stringify({ query: '{ runs { totalCount } }', variables: { pad } });
    const r = await nothingStored(() => call('', undefined, g.key.admin, body));
    expect(r.status).toBe(413);
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    // The ingest route is the same endpoint: oversized records never reach the pipeline either.
    const records = Array.from({ length: 20 }, (_, i) => ({
      ts: '2022-01-01T00:00:00Z',
      sensor: `s${i}`,
      value: 1,
      blob: 'y'.repeat(1024 * 1024),
    }));
    const big = await nothingStored(() =>
      call('mutation($r: [JSON!]!) { ingest(contract: "pings", records: $r) { id } }', { r: records }),
    );
    expect(big.status).toBe(413);
    observe(
      FAULT,
      `request body of ${body.length} bytes (limit ${LIMITS.body}); an ingest of 20 MiB of records`,
      `${brief(r)} ("${r.errors![0]!.message}"); ingest ${brief(big)}; nothing stored`,
    );
  });

  it('a deep query and a wide or costly query → BAD_USER_INPUT', async () => {
    const deep = `{ runs { nodes { ${'parent { '.repeat(LIMITS.depth)} id ${'} '.repeat(LIMITS.depth)} } } }`;
    const d = await nothingStored(() => call(deep));
    expect(codes(d)).toContain('BAD_USER_INPUT');
    expect(d.data).toBeNull();
    const wide = `{ ${Array.from({ length: LIMITS.complexity + 1 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const w = await nothingStored(() => call(wide));
    expect(codes(w)).toContain('BAD_USER_INPUT');
    const costly =
      '{ runs(first: 500) { nodes { id contract status rowsRead rowsWritten children { id status parent { id } } } } }';
    const c = await nothingStored(() => call(costly));
    expect(codes(c)).toContain('BAD_USER_INPUT');
    // The same limits on the WebSocket (Apollo's validation does not run there).
    const client = createClient({
      url: g.a.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${g.key.reader}` },
    });
    const wsDeep = await new Promise<unknown>((resolve) =>
      client.subscribe(
        {
          query: `subscription { runStatusChanged { ${'parent { '.repeat(LIMITS.depth)} id ${'} '.repeat(LIMITS.depth)} } }`,
        },
        { next: (m) => resolve(m), error: (e) => resolve(e), complete: () => resolve('complete') },
      ),
    );
    await client.dispose();
    const wsCodes = (Array.isArray(wsDeep) ? wsDeep : []).map(
      (e: { extensions?: { code?: string } }) => e.extensions?.code,
    );
    expect(wsCodes).toContain('BAD_USER_INPUT');
    observe(
      FAULT,
      `query ${LIMITS.depth + 3} levels deep (limit ${LIMITS.depth}); ${LIMITS.complexity + 1} aliased fields; runs(first: 500) with nested lists (cost > ${LIMITS.complexity}); a deep subscription over WebSocket`,
      `${brief(d)} ("${d.errors!.find((e) => e.extensions?.code === 'BAD_USER_INPUT')!.message}"); ${brief(w)}; ${brief(c)}; WebSocket: ${wsCodes.join(',')}; nothing stored`,
    );
  });

  it('lists over their limits → BAD_USER_INPUT, before anything is read or written', async () => {
    const entities = Array.from({ length: LIMITS.entities + 1 }, (_, i) => `m${i}`);
    const f = await nothingStored(() =>
      call('query($e: [JSON!]!) { features(contract: "meters", entities: $e) { entity } }', { e: entities }),
    );
    expect(codes(f)).toEqual(['BAD_USER_INPUT']);
    const records = pushRecords('s', LIMITS.records + 1, 7);
    const i = await nothingStored(() =>
      call('mutation($r: [JSON!]!) { ingest(contract: "pings", records: $r) { id } }', { r: records }),
    );
    expect(codes(i)).toEqual(['BAD_USER_INPUT']);
    const page = await nothingStored(() => call('{ runs(first: 100000) { totalCount } }'));
    expect(codes(page)).toEqual(['BAD_USER_INPUT']);
    observe(
      FAULT,
      `features with ${entities.length} entities (limit ${LIMITS.entities}); ingest of ${records.length} records (limit ${LIMITS.records}); runs(first: 100000)`,
      `${brief(f)} ("${f.errors![0]!.message}"); ${brief(i)} ("${i.errors![0]!.message}"); ${brief(page)}; no raw batch kept, no file in the raw store`,
    );
  });

  it('SQL-looking strings as contract names, entity keys, ids and environments → NOT_FOUND / BAD_USER_INPUT or empty answers; tables intact', async () => {
    const tries: Array<[string, string, Record<string, unknown>]> = [
      [
        'features(contract)',
        'query($c: String!) { features(contract: $c, entities: ["m1"]) { entity } }',
        { c: SQL },
      ],
      [
        'features(entities)',
        'query($e: [JSON!]!) { features(contract: "meters", entities: $e) { entity values } }',
        { e: [SQL, { meter: SQL }, `m1' OR '1'='1`] },
      ],
      [
        'features(environment)',
        'query($v: String!) { features(contract: "meters", entities: ["m1"], environment: $v) { entity } }',
        { v: SQL },
      ],
      ['contract(name)', 'query($c: String!) { contract(name: $c) { name } }', { c: SQL }],
      ['runs(contract)', 'query($c: String!) { runs(contract: $c) { totalCount } }', { c: SQL }],
      ['run(id)', 'query($c: ID!) { run(id: $c) { id } }', { c: SQL }],
      ['lineage(contract)', 'query($c: String!) { lineage(contract: $c) { nodes { id } } }', { c: SQL }],
      ['triggerRun(contract)', 'mutation($c: String!) { triggerRun(contract: $c) { id } }', { c: SQL }],
      [
        'ingest(contract)',
        'mutation($c: String!) { ingest(contract: $c, records: [{sensor: "x", ts: "2022-01-01T00:00:00Z", value: 1}]) { id } }',
        { c: SQL },
      ],
      ['rollbackRun(id)', 'mutation($c: ID!) { rollbackRun(id: $c) { id } }', { c: SQL }],
      [
        'promoteContract(name)',
        'mutation($c: String!) { promoteContract(name: $c, version: "1.0.0", to: "prod") { name } }',
        { c: SQL },
      ],
      [
        'applyContract(name)',
        'mutation($y: String!) { applyContract(yaml: $y) { status } }',
        { y: pushContract('pings').replace('name: pings', `name: "${SQL}"`) },
      ],
    ];
    const seen: string[] = [];
    for (const [what, query, variables] of tries) {
      const r = await nothingStored(() => call(query, variables));
      const cs = codes(r);
      expect(
        cs.every((c) => c === 'NOT_FOUND' || c === 'BAD_USER_INPUT'),
        `${what}: ${JSON.stringify(r.errors)}`,
      ).toBe(true);
      seen.push(
        `${what} → ${cs.length ? cs.join(',') : `answered ${JSON.stringify(r.data).replace(SQL, '<sql>').slice(0, 60)}`}`,
      );
    }
    const [exists] = await g.ws.db.query<{ r: string | null }>("SELECT to_regclass('feature_rows') AS r");
    expect(exists!.r).toBe('feature_rows');
    const back = await gqlOk(
      g.a.graphqlUrl,
      '{ features(contract: "meters", entities: ["m00001"]) { values } }',
      {},
      { key: g.key.reader },
    );
    expect(back.features[0].values).not.toBeNull();
    observe(
      FAULT,
      `"${SQL}" (and \`' OR '1'='1\`) as contract name, entity key, id, environment, contract YAML name`,
      `${seen.join('; ')}; feature_rows and every count intact`,
    );
  });

  it('the store after all of it: counts as after set-up, the data still readable', async () => {
    const c: Counts = await g.ws.db.counts();
    expect(c.runs).toBe(2);
    expect(c.raw_batches).toBe(2);
    expect(c.feature_rows).toBe(195 + 10);
  });
});
