/**
 * Run mutations over HTTP: ingest (push contracts), triggerRun (file contracts),
 * rollbackRun and reprocessRun, each with its refusals.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/graphql/limits';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import {
  cardRecords,
  expectError,
  landCountryDaily,
  repoFile,
  startServer,
  type TestServer,
} from '../support/graphql';

const RUN_FIELDS =
  'id contract contractVersion environment trigger status rowsRead rowsValid rowsRejected rowsFiltered rowsWritten outputDigest error createdBy codeVersion';

const INGEST = `mutation($contract: String!, $records: [JSON!]!, $environment: String, $force: Boolean) {
  ingest(contract: $contract, records: $records, environment: $environment, force: $force) { ${RUN_FIELDS} }
}`;
const TRIGGER = `mutation($contract: String!, $environment: String, $force: Boolean) { triggerRun(contract: $contract, environment: $environment, force: $force) { ${RUN_FIELDS} } }`;
const ROLLBACK = `mutation($id: ID!) { rollbackRun(id: $id) { id status invalidatedAt } }`;
const REPROCESS = `mutation($id: ID!, $v: String) { reprocessRun(id: $id, contractVersion: $v) { ${RUN_FIELDS} parent { id status outputDigest } } }`;
const PRICE = `query($items: [JSON!]!) { features(contract: "prices", entities: $items, features: ["price"]) { entity values runId } }`;

const PRICES = `
name: prices
version: 1.0.0
owner: tests
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
  - { name: price, type: number, minimum: 0 }
expectations: []
features:
  - { name: price, column: price }
`;

describe(`ingest and triggerRun (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;

  beforeEach(async () => {
    rt = await createTestRuntime({
      contracts: [repoFile('contracts/card_transactions.yaml'), repoFile('contracts/country_daily.yaml')],
    });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  it('ingests pushed records into a SUCCEEDED run with its counts', async () => {
    const records = cardRecords();
    const run = (await s.ok(INGEST, { contract: 'card_transactions', records })).ingest;
    expect(run).toMatchObject({
      contract: 'card_transactions',
      contractVersion: '1.0.0',
      environment: 'dev',
      trigger: 'push',
      status: 'SUCCEEDED',
      rowsRead: records.length,
      rowsValid: records.length,
      rowsRejected: 0,
      rowsWritten: records.length,
      error: null,
      createdBy: 'anonymous',
      codeVersion: 'test',
    });
    expect(run.outputDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('counts rejected records and still succeeds', async () => {
    const records = cardRecords().slice(0, 10);
    records[3] = { ...records[3], currency: 'JPY' };
    records[7] = { ...records[7], amount: -5 };
    const run = (await s.ok(INGEST, { contract: 'card_transactions', records })).ingest;
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      rowsRead: 10,
      rowsValid: 8,
      rowsRejected: 2,
      rowsWritten: 8,
    });
  });

  it('refuses the same records again as CONFLICT', async () => {
    const records = cardRecords().slice(0, 20);
    await s.ok(INGEST, { contract: 'card_transactions', records });
    expectError(
      await s.gql(INGEST, { contract: 'card_transactions', records }),
      'CONFLICT',
      /these 20 records were already ingested in dev \(raw batch raw_\w+\); to ingest them again use ingest\(force: true\)/,
    );
    expect((await s.ok(`{ runs(contract: "card_transactions") { totalCount } }`)).runs.totalCount).toBe(1);
    // The refusal names an action that works.
    const again = (await s.ok(INGEST, { contract: 'card_transactions', records, force: true })).ingest;
    expect(again).toMatchObject({ status: 'SUCCEEDED', rowsRead: 20 });
  });

  it(`refuses more than ${LIMITS.maxRecords} records as BAD_USER_INPUT, naming the limit`, async () => {
    const one = cardRecords()[0]!;
    const records = Array.from({ length: LIMITS.maxRecords + 1 }, () => one);
    expectError(
      await s.gql(INGEST, { contract: 'card_transactions', records }),
      'BAD_USER_INPUT',
      new RegExp(`records has ${LIMITS.maxRecords + 1} items; at most ${LIMITS.maxRecords}`),
    );
    expect((await s.ok(`{ runs { totalCount } }`)).runs.totalCount).toBe(0);
  });

  it('refuses ingest into a csv contract, an empty list, an unknown contract and an unknown environment', async () => {
    expectError(
      await s.gql(INGEST, { contract: 'country_daily', records: [{ date: '2020-01-01' }] }),
      'BAD_USER_INPUT',
      /only 'push' contracts take ingested records/,
    );
    expectError(
      await s.gql(INGEST, { contract: 'card_transactions', records: [] }),
      'BAD_USER_INPUT',
      /records must not be empty/,
    );
    expectError(
      await s.gql(INGEST, { contract: 'nope', records: [{}] }),
      'NOT_FOUND',
      /contract 'nope' is not registered/,
    );
    expectError(
      await s.gql(INGEST, { contract: 'card_transactions', records: [{}], environment: 'qa' }),
      'BAD_USER_INPUT',
      /environment must be one of/,
    );
    // Not active in test yet.
    expectError(
      await s.gql(INGEST, { contract: 'card_transactions', records: [{}], environment: 'test' }),
      'NOT_FOUND',
      /no active version in test/,
    );
  });

  it('triggers a run over the landed seed CSVs, then refuses when nothing is new', async () => {
    await landCountryDaily(rt);
    const run = (await s.ok(TRIGGER, { contract: 'country_daily' })).triggerRun;
    // The seeds hold 3600 rows, 12 of which break the schema (pattern, minimum).
    expect(run).toMatchObject({
      contract: 'country_daily',
      trigger: 'manual',
      status: 'SUCCEEDED',
      rowsRead: 3600,
      rowsRejected: 12,
      rowsValid: 3588,
      rowsWritten: 3588,
    });
    expectError(
      await s.gql(TRIGGER, { contract: 'country_daily' }),
      'BAD_USER_INPUT',
      /nothing new to run for country_daily: 2 file\(s\) already ingested in dev \(same sha256\); to run them again use --force \(GraphQL: triggerRun\(force: true\)\)/,
    );
    const forced = (await s.ok(TRIGGER, { contract: 'country_daily', force: true })).triggerRun;
    expect(forced).toMatchObject({ status: 'SUCCEEDED', rowsRead: 3600, rowsWritten: 3588 });
  });

  it('of a seed CSV that grew runs only the appended lines; one rewritten is refused as CONFLICT naming it', async () => {
    await landCountryDaily(rt);
    await s.ok(TRIGGER, { contract: 'country_daily' });
    const q2 = join(rt.config.landingDir, 'country_daily/2020-q2.csv');
    appendFileSync(q2, '2020-07-01,DEU,200000,9100,7000000\n2020-07-01,FRA,170000,30000,2000000\n');
    const grown = (await s.ok(TRIGGER, { contract: 'country_daily' })).triggerRun;
    expect(grown).toMatchObject({ status: 'SUCCEEDED', rowsRead: 2, rowsWritten: 2 });

    writeFileSync(q2, readFileSync(q2, 'utf8').replace('DEU', 'AUT'));
    expectError(
      await s.gql(TRIGGER, { contract: 'country_daily' }),
      'CONFLICT',
      /^landing file 'country_daily\/2020-q2\.csv' changed after it was ingested \(its first \d+ bytes, already ingested, are not what was read then\); refused/,
    );
    const forced = (await s.ok(TRIGGER, { contract: 'country_daily', force: true })).triggerRun;
    expect(forced.status).toBe('SUCCEEDED');
  });

  it('refuses triggerRun with no landed file, on a push contract and for an unknown contract', async () => {
    expectError(
      await s.gql(TRIGGER, { contract: 'country_daily' }),
      'BAD_USER_INPUT',
      /no file matches 'country_daily\/\*\.csv'/,
    );
    expectError(
      await s.gql(TRIGGER, { contract: 'card_transactions' }),
      'BAD_USER_INPUT',
      /push records with ingest/,
    );
    expectError(await s.gql(TRIGGER, { contract: 'nope' }), 'NOT_FOUND');
  });
});

describe(`rollbackRun and reprocessRun (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  let run1: { id: string; outputDigest: string };
  let run2: { id: string; outputDigest: string };

  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [PRICES] });
    s = await startServer(rt);
    const first = [
      { ts: '2024-05-01T00:00:00Z', item: 'apple', price: 1 },
      { ts: '2024-05-01T00:00:00Z', item: 'pear', price: 2 },
    ];
    run1 = (await s.ok(INGEST, { contract: 'prices', records: first })).ingest;
    rt.clock.advance(60_000);
    run2 = (
      await s.ok(INGEST, {
        contract: 'prices',
        records: [{ ts: '2024-05-02T00:00:00Z', item: 'apple', price: 1.5 }],
      })
    ).ingest;
    rt.clock.advance(60_000);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  const prices = async () =>
    Object.fromEntries(
      (await s.ok(PRICE, { items: ['apple', 'pear'] })).features.map(
        (v: { entity: string; values: { price: number } | null }) => [v.entity, v.values?.price ?? null],
      ),
    );

  it('rolls a run back: the earlier values are visible again; a second rollback is a CONFLICT', async () => {
    expect(await prices()).toEqual({ apple: 1.5, pear: 2 });
    const rolled = (await s.ok(ROLLBACK, { id: run2.id })).rollbackRun;
    expect(rolled.status).toBe('ROLLED_BACK');
    expect(rolled.invalidatedAt).toBe(new Date(rt.clock.now()).toISOString());
    expect(await prices()).toEqual({ apple: 1, pear: 2 });
    expectError(
      await s.gql(ROLLBACK, { id: run2.id }),
      'CONFLICT',
      new RegExp(`run ${run2.id} is rolled_back already; .*reprocess ${run2.id}`),
    );
    expect(await prices()).toEqual({ apple: 1, pear: 2 });
  });

  it('refuses to roll back an unknown run as NOT_FOUND', async () => {
    expectError(await s.gql(ROLLBACK, { id: 'run_nope' }), 'NOT_FOUND', /run 'run_nope' does not exist/);
  });

  it('reprocesses a run: a new run with the same output, its parent SUPERSEDED', async () => {
    const re = (await s.ok(REPROCESS, { id: run1.id })).reprocessRun;
    expect(re.id).not.toBe(run1.id);
    expect(re).toMatchObject({
      trigger: 'reprocess',
      status: 'SUCCEEDED',
      contractVersion: '1.0.0',
      rowsWritten: 2,
      outputDigest: run1.outputDigest,
    });
    expect(re.parent).toEqual({ id: run1.id, status: 'SUPERSEDED', outputDigest: run1.outputDigest });
    const parent = (
      await s.ok(`query($id: ID!) { run(id: $id) { status invalidatedAt children { id } } }`, { id: run1.id })
    ).run;
    expect(parent.status).toBe('SUPERSEDED');
    expect(parent.invalidatedAt).not.toBeNull();
    expect(parent.children).toEqual([{ id: re.id }]);
    // Readers see the same values, now written by the new run.
    const pear = (await s.ok(PRICE, { items: ['pear'] })).features[0];
    expect(pear).toEqual({ entity: 'pear', values: { price: 2 }, runId: re.id });
  });

  it('reprocesses a rolled-back run (the repair cycle): its values and digest come back', async () => {
    await s.ok(ROLLBACK, { id: run2.id });
    const re = (await s.ok(REPROCESS, { id: run2.id })).reprocessRun;
    expect(re).toMatchObject({ status: 'SUCCEEDED', outputDigest: run2.outputDigest });
    expect(re.parent).toEqual({ id: run2.id, status: 'ROLLED_BACK', outputDigest: run2.outputDigest });
    expect(await prices()).toEqual({ apple: 1.5, pear: 2 });
  });

  it('refuses to reprocess an unknown run or under a malformed version', async () => {
    expectError(await s.gql(REPROCESS, { id: 'run_nope' }), 'NOT_FOUND');
    expectError(
      await s.gql(REPROCESS, { id: run1.id, v: 'one' }),
      'BAD_USER_INPUT',
      /contractVersion must be a semantic version/,
    );
    expectError(
      await s.gql(REPROCESS, { id: run1.id, v: '1.9.0' }),
      'NOT_FOUND',
      /prices@1\.9\.0 is not registered/,
    );
  });
});
