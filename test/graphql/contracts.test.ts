/**
 * Contract queries and mutations over HTTP: contracts / contract(name, version),
 * applyContract (immutability, bump rules, compatibility report, YAML issues with
 * positions) and promoteContract (policy refusals name their rule).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { expectError, landCountryDaily, repoFile, startServer, type TestServer } from '../support/graphql';

/** A small push contract; `extraColumns`/`extraFeatures` are YAML list items. */
function prices(
  version: string,
  opts: { priceType?: string; extraColumns?: string; extraFeatures?: string; description?: string } = {},
): string {
  return `
name: prices
version: ${version}
owner: tests
description: ${opts.description ?? 'Item prices.'}
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
  - { name: price, type: ${opts.priceType ?? 'number'} }
${opts.extraColumns ?? ''}
expectations: []
features:
  - { name: price, column: price }
${opts.extraFeatures ?? ''}
`;
}

const APPLY = `mutation($yaml: String!) {
  applyContract(yaml: $yaml) {
    status
    contract { name version major environments }
    compatibility { against requiredBump verdict changes { rule class path message } }
  }
}`;

const PROMOTE = `mutation($name: String!, $version: String!, $to: String!) {
  promoteContract(name: $name, version: $version, to: $to) { name version environments promotions { version environment fromEnvironment state } }
}`;

const INGEST = `mutation($contract: String!, $records: [JSON!]!, $environment: String) {
  ingest(contract: $contract, records: $records, environment: $environment) { id status }
}`;

describe(`contract queries (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;

  beforeEach(async () => {
    rt = await createTestRuntime({
      contracts: [repoFile('contracts/country_daily.yaml'), repoFile('contracts/card_transactions.yaml')],
    });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  it('lists every registered version with its features and environments', async () => {
    const data = await s.ok(
      `{ contracts { name version major owner entity entityKey eventTime environments features { name kind } } }`,
    );
    const byName = Object.fromEntries(data.contracts.map((c: { name: string }) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['card_transactions', 'country_daily']);
    expect(byName.country_daily).toMatchObject({
      version: '1.0.0',
      major: 1,
      owner: 'epidemiology',
      entity: 'country',
      entityKey: ['country'],
      eventTime: 'date',
      environments: ['dev'],
    });
    expect(byName.country_daily.features).toEqual([
      { name: 'confirmed', kind: 'column' },
      { name: 'deaths', kind: 'column' },
      { name: 'new_cases', kind: 'window' },
      { name: 'new_cases_7d', kind: 'window' },
      { name: 'fatality', kind: 'expr' },
    ]);
  });

  it('filters by environment: nothing is active in test until promoted', async () => {
    expect((await s.ok(`{ contracts(environment: "dev") { name } }`)).contracts).toHaveLength(2);
    expect((await s.ok(`{ contracts(environment: "test") { name } }`)).contracts).toEqual([]);
  });

  it('refuses an unknown environment as BAD_USER_INPUT', async () => {
    expectError(
      await s.gql(`{ contracts(environment: "staging") { name } }`),
      'BAD_USER_INPUT',
      /environment must be one of dev, test, prod/,
    );
  });

  it('answers contract(name, version) with versions, expectations, schedule, promotions and latest runs', async () => {
    await rt.apply(prices('1.0.0'), prices('1.1.0', { extraColumns: '  - { name: note, type: string }' }));
    await landCountryDaily(rt);
    const run = (await s.ok(`mutation { triggerRun(contract: "country_daily") { id } }`)).triggerRun;
    const data = await s.ok(`{
      contract(name: "country_daily", version: "1.0.0") {
        name version hash yaml registeredBy environments versions
        expectations schedule source
        schema { name type required constraints }
        promotions { version environment fromEnvironment state by }
        latestRuns(first: 3) { totalCount nodes { id status contractVersion } }
      }
      prices: contract(name: "prices") { version versions environments }
    }`);
    const c = data.contract;
    expect(c).toMatchObject({
      name: 'country_daily',
      version: '1.0.0',
      registeredBy: 'test',
      environments: ['dev'],
      versions: ['1.0.0'],
    });
    expect(c.yaml).toContain('name: country_daily');
    expect(c.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(c.schedule).toEqual({ cron: '0 6 * * *', onArrival: true });
    expect(c.source).toMatchObject({ type: 'csv', path: 'country_daily/*.csv' });
    expect(c.expectations.map((e: { expect: string }) => e.expect)).toContain('row_count_between');
    expect(c.schema.find((col: { name: string }) => col.name === 'country')).toEqual({
      name: 'country',
      type: 'string',
      required: true,
      constraints: { pattern: '^[A-Z]{3}$' },
    });
    expect(c.promotions).toEqual([
      { version: '1.0.0', environment: 'dev', fromEnvironment: null, state: 'active', by: 'test' },
    ]);
    expect(c.latestRuns).toEqual({
      totalCount: 1,
      nodes: [{ id: run.id, status: 'SUCCEEDED', contractVersion: '1.0.0' }],
    });
    // Without a version: the newest active in dev; versions lists every registered one.
    expect(data.prices.version).toBe('1.1.0');
    expect([...data.prices.versions].sort()).toEqual(['1.0.0', '1.1.0']);
    expect(data.prices.environments).toEqual(['dev']);
  });

  it('answers null for an unknown contract or version', async () => {
    const data = await s.ok(
      `{ a: contract(name: "nope") { name } b: contract(name: "country_daily", version: "9.9.9") { name } }`,
    );
    expect(data).toEqual({ a: null, b: null });
  });

  it('refuses a version that is neither semver nor a major', async () => {
    expectError(
      await s.gql(`{ contract(name: "country_daily", version: "latest") { name } }`),
      'BAD_USER_INPUT',
      /semantic version/,
    );
  });
});

describe(`applyContract (${testEngine()})`, () => {
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

  it('registers a new contract, active in dev, then answers unchanged for the same text', async () => {
    const first = (await s.ok(APPLY, { yaml: prices('1.0.0') })).applyContract;
    expect(first.status).toBe('registered');
    expect(first.contract).toEqual({ name: 'prices', version: '1.0.0', major: 1, environments: ['dev'] });
    expect(first.compatibility).toMatchObject({ against: null, changes: [] });

    const again = (await s.ok(APPLY, { yaml: prices('1.0.0') })).applyContract;
    expect(again.status).toBe('unchanged');
    expect(again.compatibility).toMatchObject({ against: '1.0.0', requiredBump: 'none', changes: [] });
    expect((await s.ok(`{ contracts { version } }`)).contracts).toEqual([{ version: '1.0.0' }]);
  });

  it('refuses different content under a registered version as CONFLICT', async () => {
    await s.ok(APPLY, { yaml: prices('1.0.0') });
    const err = expectError(
      await s.gql(APPLY, { yaml: prices('1.0.0', { description: 'Changed.' }) }),
      'CONFLICT',
    );
    expect(err.message).toMatch(/prices@1\.0\.0 is already registered with different content/);
    expect(err.message).toMatch(/bump the version/);
    const stored = (await s.ok(`{ contract(name: "prices", version: "1.0.0") { description } }`)).contract;
    expect(stored.description).toBe('Item prices.');
  });

  it('reports malformed YAML as BAD_USER_INPUT with line and column in extensions.issues', async () => {
    const yaml = 'name: prices\nversion: 1.0.0\nschema: [\n  { name: ts, type: timestamp\n';
    const err = expectError(await s.gql(APPLY, { yaml }), 'BAD_USER_INPUT');
    const issues = err.extensions!.issues as Array<{
      line: number;
      column: number;
      message: string;
      file: string;
    }>;
    expect(issues.length).toBeGreaterThan(0);
    for (const i of issues) {
      expect(i.line).toBeGreaterThanOrEqual(3);
      expect(i.column).toBeGreaterThan(0);
      expect(i.message).not.toBe('');
    }
  });

  it('reports a meta-schema problem at the line and column of the offending value', async () => {
    const yaml = prices('1.0.0').replace('type: timestamp', 'type: datetime');
    const err = expectError(await s.gql(APPLY, { yaml }), 'BAD_USER_INPUT');
    const issues = err.extensions!.issues as Array<{ line: number; column: number; path: string }>;
    const line = yaml.split('\n').findIndex((l) => l.includes('datetime')) + 1;
    expect(issues.some((i) => i.line === line && i.column > 0 && i.path.startsWith('/schema/0'))).toBe(true);
  });

  it('refuses a breaking change under a minor bump as CONFLICT and registers nothing', async () => {
    await s.ok(APPLY, { yaml: prices('1.0.0') });
    const err = expectError(
      await s.gql(APPLY, { yaml: prices('1.1.0', { priceType: 'string' }) }),
      'CONFLICT',
    );
    expect(err.message).toMatch(/prices@1\.1\.0/);
    expect(err.message).toMatch(
      /minor bump but the change is breaking \(column\.type_changed.*needs 2\.0\.0/,
    );
    expect((await s.ok(`{ contract(name: "prices", version: "1.1.0") { version } }`)).contract).toBeNull();
  });

  it('answers a valid minor bump with its compatibility report', async () => {
    await s.ok(APPLY, { yaml: prices('1.0.0') });
    const res = (
      await s.ok(APPLY, {
        yaml: prices('1.1.0', {
          extraColumns: '  - { name: currency, type: string }',
          extraFeatures: '  - { name: currency, column: currency }',
        }),
      })
    ).applyContract;
    expect(res.status).toBe('registered');
    expect(res.contract.environments).toEqual(['dev']);
    expect(res.compatibility.against).toBe('1.0.0');
    expect(res.compatibility.requiredBump).toBe('minor');
    expect(res.compatibility.changes.length).toBeGreaterThanOrEqual(2);
    for (const c of res.compatibility.changes) {
      expect(c.class).toBe('additive');
      expect(c.rule).toMatch(/^[a-z_]+\.[a-z_-]+/);
      expect(c.message).not.toBe('');
    }
    expect(res.compatibility.changes.map((c: { path: string }) => c.path)).toEqual(
      expect.arrayContaining([expect.stringContaining('currency')]),
    );
    // 1.1.0 is now the version in use in dev; 1.0.0 is still registered.
    expect((await s.ok(`{ contract(name: "prices") { version versions } }`)).contract.version).toBe('1.1.0');
  });
});

describe(`promoteContract (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;

  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [prices('1.0.0')] });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  const promote = (to: string) => s.gql(PROMOTE, { name: 'prices', version: '1.0.0', to });

  it('refuses without a succeeded run in dev, naming the rule', async () => {
    const err = expectError(await promote('test'), 'VALIDATION_FAILED', /promotion\.no-succeeded-run/);
    expect(err.message).toMatch(/prices@1\.0\.0 has no succeeded run in dev/);
    expect((await s.ok(`{ contracts(environment: "test") { name } }`)).contracts).toEqual([]);
  });

  it('promotes to test after a succeeded run in dev; the version is then active in test', async () => {
    const run = (
      await s.ok(INGEST, {
        contract: 'prices',
        records: [{ ts: '2024-05-01T00:00:00Z', item: 'apple', price: 1 }],
      })
    ).ingest;
    expect(run.status).toBe('SUCCEEDED');
    const promoted = (await s.ok(PROMOTE, { name: 'prices', version: '1.0.0', to: 'test' })).promoteContract;
    expect(promoted.environments.sort()).toEqual(['dev', 'test']);
    expect(promoted.promotions).toContainEqual({
      version: '1.0.0',
      environment: 'test',
      fromEnvironment: 'dev',
      state: 'active',
    });
    expect((await s.ok(`{ contracts(environment: "test") { name version } }`)).contracts).toEqual([
      { name: 'prices', version: '1.0.0' },
    ]);
    // Promoting again is a conflict, not a second promotion.
    expectError(await promote('test'), 'CONFLICT', /already active in test/);
  });

  it('does not count a failed run as evidence', async () => {
    // A new major whose blocking expectation cannot hold for one record: its run fails.
    await rt.apply(
      prices('2.0.0').replace(
        'expectations: []',
        'expectations:\n  - { expect: row_count_between, min: 1000, severity: fail }',
      ),
    );
    const run = (
      await s.ok(INGEST, {
        contract: 'prices',
        records: [{ ts: '2024-05-01T00:00:00Z', item: 'apple', price: 1 }],
      })
    ).ingest;
    // ingest resolves the newest active version of any major in dev: check which one ran.
    const ran = (await s.ok(`query($id: ID!) { run(id: $id) { contractVersion status } }`, { id: run.id }))
      .run;
    expect(ran).toEqual({ contractVersion: '2.0.0', status: 'FAILED' });
    expectError(
      await s.gql(PROMOTE, { name: 'prices', version: '2.0.0', to: 'test' }),
      'VALIDATION_FAILED',
      /promotion\.no-succeeded-run/,
    );
  });

  it('refuses "dev" as a target as BAD_USER_INPUT', async () => {
    expectError(await promote('dev'), 'BAD_USER_INPUT', /promote to test or prod/);
    expectError(await promote('staging'), 'BAD_USER_INPUT', /to must be one of dev, test, prod/);
  });

  it('refuses skipping test on the way to prod, naming the rule', async () => {
    await s.ok(INGEST, {
      contract: 'prices',
      records: [{ ts: '2024-05-01T00:00:00Z', item: 'apple', price: 1 }],
    });
    expectError(await promote('prod'), 'VALIDATION_FAILED', /promotion\.order.*not active in test/);
    expect((await s.ok(`{ contracts(environment: "prod") { name } }`)).contracts).toEqual([]);
  });

  it('refuses an unknown version', async () => {
    const res = await s.gql(PROMOTE, { name: 'prices', version: '3.0.0', to: 'test' });
    expectError(res, 'NOT_FOUND', /prices@3\.0\.0 is not registered/);
  });
});
