/**
 * A full disk under ingest and reprocessRun (issue 14.14): the store cannot grow (see
 * support/disk-full.ts: SQLite capped at its current size, PostgreSQL raising its
 * disk_full). Work refused before a run exists answers INSUFFICIENT_STORAGE "disk full",
 * never INTERNAL; a run whose commit hits the full disk fails with errorKind `storage`
 * and says "disk full" to every reader, is retried on the slower storage schedule, and
 * stores nothing. Once space is back the work goes through.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, STORAGE_BACKOFF, backoffMs } from '../../src/scheduling/retry';
import { T } from '../../src/store/tables';
import { testEngine } from '../support/engine';
import { fillDatabase, freeDatabase } from '../support/disk-full';
import { countRows, createTestRuntime, type TestRuntime } from '../support/runtime';
import { startServer, type GqlResponse, type TestServer } from '../support/graphql';

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

const RUN = 'id status error errorKind rowsWritten';
const INGEST = `mutation($records: [JSON!]!) { ingest(contract: "prices", records: $records) { ${RUN} } }`;
const REPROCESS = `mutation($id: ID!) { reprocessRun(id: $id) { ${RUN} } }`;

const DISK_FULL =
  /^disk full: the database has no space left \((SQLITE_FULL|SQLSTATE 53100)\); free space on its disk/;

let batch = 0;
/** `n` records no earlier ingest sent (each call its own items, so never "already ingested"). */
const records = (n: number) => {
  batch += 1;
  return Array.from({ length: n }, (_, i) => ({
    ts: '2024-01-01T00:00:00Z',
    item: `b${batch}-${i}`,
    price: i,
  }));
};

describe(`a full disk under ingest and reprocessRun (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  const engine = testEngine();
  const db = () => rt.store.db;

  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [PRICES], retry: DEFAULT_RETRY });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  /**
   * Sends `call` until the store refuses it outright (SQLite: once the room left in
   * the pages it has is used up; PostgreSQL: at once). Every answer before that is a
   * run that fitted or that failed on the full disk: never INTERNAL, never a bug.
   */
  async function untilRefused(call: () => Promise<GqlResponse>, field: string): Promise<GqlResponse> {
    for (let i = 0; i < 300; i++) {
      const r = await call();
      if (r.errors) return r;
      const run = r.data[field];
      if (run.status === 'SUCCEEDED') continue;
      expect(run.status).toBe('FAILED');
      expect(run.errorKind).toBe('storage');
      expect(run.error).toMatch(DISK_FULL);
    }
    throw new Error(`${field} was never refused`);
  }

  it('a run whose commit finds the disk full fails as storage, says so, stores nothing, and is retried later', async () => {
    const before = await s.ok(INGEST, { records: records(2) });
    expect(before.ingest.status).toBe('SUCCEEDED');
    const rowsBefore = await countRows(rt, T.featureRows);
    await fillDatabase(db(), engine, [T.featureRows]);

    const r = await s.ok(INGEST, { records: records(3000) });

    expect(r.ingest).toMatchObject({ status: 'FAILED', errorKind: 'storage', rowsWritten: 0 });
    expect(r.ingest.error).toMatch(DISK_FULL);
    expect(await countRows(rt, T.featureRows)).toBe(rowsBefore);
    const failed = (await rt.store.runs.get(r.ingest.id))!;
    const [retry] = (await rt.store.runs.list({ parentRunId: failed.id, trigger: 'retry' }, 5)).runs;
    // A minute, not the 5 s a transient failure waits: the disk stays full until someone frees it.
    expect(retry!.notBefore! - failed.finishedAt!).toBe(backoffMs(STORAGE_BACKOFF, 2));
    expect(backoffMs(STORAGE_BACKOFF, 2)).toBeGreaterThan(backoffMs(DEFAULT_RETRY, 2));

    const reprocessed = await s.ok(REPROCESS, { id: failed.id });
    expect(reprocessed.reprocessRun).toMatchObject({
      status: 'FAILED',
      errorKind: 'storage',
      rowsWritten: 0,
    });
    expect(reprocessed.reprocessRun.error).toMatch(DISK_FULL);
    expect(await countRows(rt, T.featureRows)).toBe(rowsBefore);

    // Space back: the retry, when due, commits the same raw batch.
    await freeDatabase(db(), engine, [T.featureRows]);
    rt.clock.set(retry!.notBefore!);
    const done = await rt.dispatcher.submit(retry!);
    expect(done).toMatchObject({ status: 'succeeded', counts: { written: 3000 } });
  });

  it('ingest and reprocessRun refused before a run exists answer INSUFFICIENT_STORAGE "disk full", not INTERNAL', async () => {
    const before = await s.ok(INGEST, { records: records(2) });
    await fillDatabase(db(), engine, [T.runs]);

    const ingest = await untilRefused(() => s.gql(INGEST, { records: records(1) }), 'ingest');
    const reprocess = await untilRefused(() => s.gql(REPROCESS, { id: before.ingest.id }), 'reprocessRun');

    for (const r of [ingest, reprocess]) {
      expect(r.errors).toHaveLength(1);
      expect(r.errors![0]!.extensions?.code).toBe('INSUFFICIENT_STORAGE');
      expect(r.errors![0]!.message).toMatch(DISK_FULL);
      expect(r.errors![0]!.message).not.toMatch(/insert into|Internal server error|base\/16384/);
    }

    await freeDatabase(db(), engine, [T.runs]);
    expect((await s.ok(INGEST, { records: records(1) })).ingest.status).toBe('SUCCEEDED');
  });
});
