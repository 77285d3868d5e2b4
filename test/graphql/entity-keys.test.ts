/**
 * A two-part key over HTTP: what `ingest` stores, `features`, `trainingSet` and
 * `lineage` find (an empty part with `nullValues: []` was stored and never found), a
 * nullable part matches null with null, and a key too long to store is a rejected row
 * on every engine (PostgreSQL once failed the whole batch on its index) and a
 * BAD_USER_INPUT on reads.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { expectError, startServer, type TestServer } from '../support/graphql';

const contract = (name: string, entity: string, source: string, province: string) => `
name: ${name}
version: 1.0.0
owner: tests
entity: ${entity}
eventTime: d
source: ${source}
schema:
  - { name: d, type: date, required: true }
  - { name: country, type: string, required: true }
  - { name: province, type: string${province} }
  - { name: n, type: integer }
expectations: []
features:
  - { name: n, column: n }
`;

/** `province` must be given, and "" is a value (no null tokens). */
const STRICT = contract(
  'regions',
  '{ name: region, key: [country, province] }',
  '{ type: push, nullValues: [] }',
  ', required: true',
);
/** `province` may be null (absent, null or a default null token). */
const NULLABLE = contract(
  'regions_n',
  '{ name: region, key: [country, province], nullable: [province] }',
  '{ type: push }',
  '',
);

const FEATURES = `query($c: String!, $e: [JSON!]!) {
  features(contract: $c, entities: $e, asOf: "2021-02-01T00:00:00Z") { entity values runId }
}`;
const TRAINING = `query($c: String!, $rows: [EntityTimestampInput!]!) {
  trainingSet(contract: $c, rows: $rows) { entity values }
}`;
const LINEAGE = `query($c: String!, $e: JSON) { lineage(contract: $c, entity: $e) { nodes { id } } }`;
const INGEST = `mutation($c: String!, $r: [JSON!]!) {
  ingest(contract: $c, records: $r) { id status rowsWritten rowsRejected rejects { nodes { reasons { rule column message } } } }
}`;

describe(`entity keys with two parts (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;

  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [STRICT, NULLABLE] });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  const ingest = async (c: string, r: unknown[]) => (await s.ok(INGEST, { c, r })).ingest;
  const features = async (c: string, e: unknown[]) =>
    (await s.ok(FEATURES, { c, e })).features as Array<{
      entity: unknown;
      values: { n: number } | null;
      runId: string;
    }>;
  const training = async (c: string, entity: unknown) =>
    (await s.ok(TRAINING, { c, rows: [{ entity, timestamp: '2021-02-01T00:00:00Z' }] })).trainingSet[0];
  const lineageRuns = async (c: string, e: unknown) =>
    ((await s.ok(LINEAGE, { c, e })).lineage.nodes as Array<{ id: string }>)
      .map((n) => n.id)
      .filter((id) => id.startsWith('run:'));

  it('finds a key stored with an empty part in features, trainingSet and lineage', async () => {
    const run = await ingest('regions', [{ d: '2021-01-01', country: 'France', province: '', n: 5 }]);
    expect(run).toMatchObject({ status: 'SUCCEEDED', rowsWritten: 1 });
    const key = { country: 'France', province: '' };
    expect(await features('regions', [key])).toEqual([{ entity: key, values: { n: 5 }, runId: run.id }]);
    expect(await training('regions', key)).toEqual({ entity: key, values: { n: 5 } });
    expect(await lineageRuns('regions', key)).toEqual([`run:${run.id}`]);
    // Missing is still missing: the part must be given.
    expectError(
      await s.gql(FEATURES, { c: 'regions', e: [{ country: 'France' }] }),
      'BAD_USER_INPUT',
      /missing province/,
    );
  });

  it('matches null with null for a nullable part, and keeps the other parts required', async () => {
    const run = await ingest('regions_n', [
      { d: '2021-01-01', country: 'France', province: null, n: 1 },
      { d: '2021-01-02', country: 'France', n: 2 },
      { d: '2021-01-01', country: 'France', province: 'Alsace', n: 3 },
      { d: '2021-01-01', province: 'Alsace', n: 4 },
    ]);
    expect(run).toMatchObject({ status: 'SUCCEEDED', rowsWritten: 3, rowsRejected: 1 });
    expect(run.rejects.nodes[0].reasons).toEqual([
      { rule: 'required', column: 'country', message: 'country is required' },
    ]);
    const none = { country: 'France', province: null };
    const vectors = await features('regions_n', [
      none,
      { country: 'France' },
      { country: 'France', province: 'Alsace' },
    ]);
    expect(vectors.map((v) => [v.entity, v.values])).toEqual([
      [none, { n: 2 }],
      [none, { n: 2 }],
      [{ country: 'France', province: 'Alsace' }, { n: 3 }],
    ]);
    expect(await training('regions_n', { country: 'France', province: 'NA' })).toEqual({
      entity: none,
      values: { n: 2 },
    });
    expect(await lineageRuns('regions_n', none)).toEqual([`run:${run.id}`]);
    expectError(
      await s.gql(FEATURES, { c: 'regions_n', e: [{ province: 'Alsace' }] }),
      'BAD_USER_INPUT',
      /entities\[0\]: entity key needs columns country, province; missing country/,
    );
  });

  it('rejects a row whose key is over 1,024 bytes and keeps the run, on every engine', async () => {
    const long = 'x'.repeat(2_000);
    const run = await ingest('regions', [
      { d: '2021-01-01', country: 'France', province: long, n: 1 },
      { d: '2021-01-01', country: 'France', province: 'Alsace', n: 2 },
    ]);
    expect(run).toMatchObject({ status: 'SUCCEEDED', rowsWritten: 1, rowsRejected: 1 });
    expect(run.rejects.nodes[0].reasons).toEqual([
      {
        rule: 'key',
        column: 'province',
        message: 'entity key (country, province) is 2013 bytes encoded; the limit is 1024 bytes',
      },
    ]);
    for (const query of [FEATURES, TRAINING]) {
      const vars =
        query === FEATURES
          ? { c: 'regions', e: [{ country: 'France', province: long }] }
          : {
              c: 'regions',
              rows: [{ entity: { country: 'France', province: long }, timestamp: '2021-02-01T00:00:00Z' }],
            };
      expectError(await s.gql(query, vars), 'BAD_USER_INPUT', /the limit is 1024 bytes|at most 1024 bytes/);
    }
    // Each part under the limit, the whole key over it.
    const near = 'x'.repeat(1_020);
    expectError(
      await s.gql(LINEAGE, { c: 'regions', e: { country: 'France', province: near } }),
      'BAD_USER_INPUT',
      /^entity key \(country, province\) is 1033 bytes encoded; the limit is 1024 bytes$/,
    );
  });

  it('stores the rest of a batch holding a 10 MB key (a PostgreSQL index row cannot hold it)', async () => {
    const run = await rt.runs.ingest({
      contract: 'regions',
      environment: 'dev',
      actor: 'test',
      records: [
        { d: '2021-01-01', country: 'France', province: 'p'.repeat(10_000_000), n: 1 },
        { d: '2021-01-01', country: 'France', province: 'Alsace', n: 2 },
      ],
    });
    expect(run).toMatchObject({ status: 'succeeded', attempt: 1, counts: { written: 1, rejected: 1 } });
    expect((await rt.store.runs.list({ contract: 'regions' }, 10)).runs).toHaveLength(1); // no retry
    expect((await features('regions', [{ country: 'France', province: 'Alsace' }]))[0]!.values).toEqual({
      n: 2,
    });
  }, 60_000);
});
