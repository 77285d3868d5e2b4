/**
 * runStatusChanged over a real graphql-ws client and WebSocket against the listening
 * server: every status change of matching runs, in order, with the run's counts;
 * filters by contract and environment; the same limits as HTTP.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/graphql/limits';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import {
  cardRecords,
  realEvents,
  repoFile,
  startServer,
  untilSubscribed,
  type TestServer,
} from '../support/graphql';

const STRICT = `
name: strict
version: 1.0.0
owner: tests
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
expectations:
  - { expect: row_count_between, min: 1000, severity: fail }
features:
  - { name: item, column: item }
`;

const SUBSCRIPTION = `subscription($contract: String, $environment: String) {
  runStatusChanged(contract: $contract, environment: $environment) {
    id contract environment trigger status rowsRead rowsValid rowsRejected rowsWritten outputDigest error
    validation { success results { expect severity success } }
  }
}`;
const INGEST = `mutation($c: String!, $r: [JSON!]!, $e: String) {
  ingest(contract: $c, records: $r, environment: $e) { id status rowsRead rowsValid rowsRejected rowsWritten outputDigest error }
}`;

interface RunEvent {
  runStatusChanged: {
    id: string;
    contract: string;
    environment: string;
    status: string;
    rowsRead: number;
    rowsWritten: number;
    error: string | null;
    [k: string]: unknown;
  };
}

describe(`runStatusChanged over graphql-ws (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;

  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [repoFile('contracts/card_transactions.yaml'), STRICT] });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  async function subscribe(
    vars: { contract?: string; environment?: string },
    probe: { contract: string; environment: 'dev' | 'test' | 'prod' },
  ) {
    const sub = await s.subscribe<RunEvent>(SUBSCRIPTION, vars);
    await untilSubscribed(rt, sub, probe);
    return sub;
  }
  const statusesOf = (events: RunEvent[], id: string) =>
    realEvents(events)
      .filter((e) => e.runStatusChanged.id === id)
      .map((e) => e.runStatusChanged.status);
  const ended = (id: string, status: string) => (events: RunEvent[]) =>
    events.some((e) => e.runStatusChanged.id === id && e.runStatusChanged.status === status);

  it('delivers QUEUED, RUNNING then SUCCEEDED for an ingest, with the final counts', async () => {
    const sub = await subscribe(
      { contract: 'card_transactions' },
      { contract: 'card_transactions', environment: 'dev' },
    );
    const records = cardRecords().slice(0, 50);
    const run = (await s.ok(INGEST, { c: 'card_transactions', r: records })).ingest;
    const events = await sub.until(ended(run.id, 'SUCCEEDED'));
    expect(statusesOf(events, run.id)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    const last = realEvents(events).at(-1)!.runStatusChanged;
    expect(last).toMatchObject({
      contract: 'card_transactions',
      environment: 'dev',
      trigger: 'push',
      rowsRead: 50,
      rowsValid: 50,
      rowsRejected: 0,
      rowsWritten: 50,
      error: null,
    });
    expect(last.outputDigest).toBe(run.outputDigest);
    const running = realEvents(events).find((e) => e.runStatusChanged.status === 'RUNNING')!.runStatusChanged;
    expect(running.rowsWritten).toBe(0);
  });

  it('delivers RUNNING then FAILED for a batch that breaks a fail expectation', async () => {
    const sub = await subscribe({ contract: 'strict' }, { contract: 'strict', environment: 'dev' });
    const run = (await s.ok(INGEST, { c: 'strict', r: [{ ts: '2024-01-01T00:00:00Z', item: 'a' }] })).ingest;
    expect(run.status).toBe('FAILED');
    const events = await sub.until(ended(run.id, 'FAILED'));
    expect(statusesOf(events, run.id)).toEqual(['QUEUED', 'RUNNING', 'FAILED']);
    const failed = realEvents(events).at(-1)!.runStatusChanged;
    expect(failed.error).toMatch(/validation failed: row_count_between/);
    expect(failed.rowsWritten).toBe(0);
    expect(failed.validation).toMatchObject({ success: false });
  });

  it('an error inside a delivered event is mapped as over HTTP: a code, no internal detail', async () => {
    const sub = await s.subscribe<RunEvent>(
      'subscription { runStatusChanged(contract: "strict") { id status rawBatches { id } } }',
    );
    await untilSubscribed(rt, sub, { contract: 'strict', environment: 'dev' });
    rt.store.rawBatches.forRuns = () => Promise.reject(new Error('secret detail: postgres://user:pw@db'));
    await s.ok(INGEST, { c: 'strict', r: [{ ts: '2024-01-01T00:00:00Z', item: 'a' }] });
    const errors = await sub.failure();
    expect(errors).toEqual([
      expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL' } }),
    ]);
    expect(JSON.stringify(errors)).not.toContain('secret');
  });

  it('delivers only runs of the subscribed contract', async () => {
    const sub = await subscribe(
      { contract: 'card_transactions' },
      { contract: 'card_transactions', environment: 'dev' },
    );
    const other = (await s.ok(INGEST, { c: 'strict', r: [{ ts: '2024-01-01T00:00:00Z', item: 'a' }] }))
      .ingest;
    const mine = (await s.ok(INGEST, { c: 'card_transactions', r: cardRecords().slice(0, 5) })).ingest;
    // Events arrive in publication order: once this run's end is in, the other run's would be too.
    const events = await sub.until(ended(mine.id, 'SUCCEEDED'));
    expect(statusesOf(events, other.id)).toEqual([]);
    expect(realEvents(events).every((e) => e.runStatusChanged.contract === 'card_transactions')).toBe(true);
  });

  it('delivers only runs of the subscribed environment', async () => {
    const sub = await subscribe(
      { environment: 'test' },
      { contract: 'card_transactions', environment: 'test' },
    );
    const devRun = (await s.ok(INGEST, { c: 'card_transactions', r: cardRecords().slice(0, 5) })).ingest;
    await s.ok(
      `mutation { promoteContract(name: "card_transactions", version: "1.0.0", to: "test") { name } }`,
    );
    const testRun = (await s.ok(INGEST, { c: 'card_transactions', r: cardRecords().slice(5, 10), e: 'test' }))
      .ingest;
    expect(testRun.status).toBe('SUCCEEDED');
    const events = await sub.until(ended(testRun.id, 'SUCCEEDED'));
    expect(statusesOf(events, devRun.id)).toEqual([]);
    expect(statusesOf(events, testRun.id)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(realEvents(events).every((e) => e.runStatusChanged.environment === 'test')).toBe(true);
  });

  it('delivers the parent superseded by a reprocess, and rollbacks', async () => {
    const run = (await s.ok(INGEST, { c: 'card_transactions', r: cardRecords().slice(0, 5) })).ingest;
    const sub = await subscribe(
      { contract: 'card_transactions' },
      { contract: 'card_transactions', environment: 'dev' },
    );
    const child = (await s.ok(`mutation($id: ID!) { reprocessRun(id: $id) { id } }`, { id: run.id }))
      .reprocessRun;
    const other = (await s.ok(INGEST, { c: 'card_transactions', r: cardRecords().slice(5, 10) })).ingest;
    await s.ok(`mutation($id: ID!) { rollbackRun(id: $id) { id } }`, { id: other.id });
    const all = await sub.until(ended(other.id, 'ROLLED_BACK'));
    // The rollback then reprocesses later runs (the child): events read from the log in
    // one batch may already include those; look at what came up to the rollback.
    const events = all.slice(0, all.findIndex((e) => ended(other.id, 'ROLLED_BACK')([e])) + 1);
    expect(statusesOf(events, child.id)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    expect(statusesOf(events, run.id)).toEqual(['SUPERSEDED']);
    expect(statusesOf(events, other.id)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED', 'ROLLED_BACK']);
    // The parent is superseded when the child commits: after the child's SUCCEEDED.
    const order = realEvents(events).map((e) => `${e.runStatusChanged.id}:${e.runStatusChanged.status}`);
    expect(order.indexOf(`${run.id}:SUPERSEDED`)).toBeGreaterThan(order.indexOf(`${child.id}:SUCCEEDED`));
    expect(order.indexOf(`${run.id}:SUPERSEDED`)).toBeLessThan(order.indexOf(`${other.id}:QUEUED`));
  });

  it('refuses a subscription deeper than the limit, naming it', async () => {
    const deep = `subscription Deep { runStatusChanged { ${'parent { '.repeat(LIMITS.maxDepth)}id${' }'.repeat(LIMITS.maxDepth)} } }`;
    const sub = await s.subscribe(deep);
    const errors = (await sub.failure()) as Array<{ message: string; extensions?: { code?: string } }>;
    expect(errors[0]!.message).toMatch(
      new RegExp(`operation 'Deep' is ${LIMITS.maxDepth + 2} levels deep; the limit is ${LIMITS.maxDepth}`),
    );
    expect(errors[0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(sub.events).toEqual([]);
  });

  it('refuses an invalid subscription document', async () => {
    const sub = await s.subscribe(`subscription { runStatusChanged { nope } }`);
    const errors = (await sub.failure()) as Array<{ message: string; extensions?: { code?: string } }>;
    expect(errors[0]!.message).toMatch(/Cannot query field "nope"/);
    expect(errors[0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
