/**
 * Hostile values on every path (ingest over GraphQL, a JSON Lines file, a CSV file):
 * a number beyond the finite range, an event time outside 0001..9999, a record nested
 * 5,000 deep, a byte-order mark, a duplicate CSV header, bytes that are not UTF-8. Each
 * is a reject with its reason (the same reason on every path) or a refused file; none
 * fails a run it should not, none is retried, none is stored as something nobody sent.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/run';
import { testEngine } from '../support/engine';
import { startServer, type TestServer } from '../support/graphql';
import { createTestRuntime, type TestRuntime } from '../support/runtime';

const contract = (name: string, source: string) => `
name: ${name}
version: 1.0.0
owner: tests
entity: { name: user, key: [user_id] }
eventTime: ts
source: ${source}
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: user_id, type: string, required: true }
  - { name: score, type: number }
expectations: []
features:
  - { name: score, column: score }
`;

const NON_FINITE = 'cannot read a number beyond ±1.8e308 as number: not a finite number';
const OUT_OF_RANGE = /^cannot read .* as timestamp: outside 0001-01-01\.\.9999-12-31$/;

describe(`hostile records (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;

  beforeEach(async () => {
    rt = await createTestRuntime({
      contracts: [
        contract('pushed', '{ type: push }'),
        contract('lines', '{ type: jsonl, path: "lines/*.jsonl" }'),
        contract('table', '{ type: csv, path: "table/*.csv" }'),
      ],
    });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s?.close();
    await rt?.dispose();
  });

  const trigger = (name: string) => rt.runs.trigger({ contract: name, environment: 'dev', actor: 'test' });
  const reasonsOf = async (run: Run) =>
    (await rt.store.rejects.forRun(run.id, 100)).rows
      .sort((a, b) => a.rowNumber - b.rowNumber)
      .map((r) => ({ row: r.rowNumber, messages: r.reasons.map((x) => x.message) }));

  it('1e309 is refused with the same reason through ingest, a JSONL file and a CSV file', async () => {
    const res = await s.gql(
      'mutation { ingest(contract: "pushed", records: [' +
        '{ts: "2024-01-01T00:00:00Z", user_id: "u1", score: 1e309},' +
        '{ts: "2024-01-01T00:00:00Z", user_id: "u2", score: -1e309},' +
        '{ts: "2024-01-01T00:00:00Z", user_id: "u3", score: 2.5}]) { id status rowsValid rowsRejected } }',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.ingest).toMatchObject({ status: 'SUCCEEDED', rowsValid: 1, rowsRejected: 2 });
    const pushed = (await rt.store.runs.get(res.data.ingest.id))!;
    expect(await reasonsOf(pushed)).toEqual([
      { row: 1, messages: [NON_FINITE] },
      { row: 2, messages: [NON_FINITE] },
    ]);

    await rt.land(
      'lines/a.jsonl',
      '{"ts":"2024-01-01T00:00:00Z","user_id":"u1","score":1e309}\n{"ts":"2024-01-01T00:00:00Z","user_id":"u2","score":3}\n',
    );
    const lines = await trigger('lines');
    expect(lines.counts).toMatchObject({ read: 2, valid: 1, rejected: 1 });
    expect(await reasonsOf(lines)).toEqual([{ row: 1, messages: [NON_FINITE] }]);

    await rt.land(
      'table/a.csv',
      'ts,user_id,score\n2024-01-01T00:00:00Z,u1,1e309\n2024-01-01T00:00:00Z,u2,4\n',
    );
    const table = await trigger('table');
    expect(table.counts).toMatchObject({ read: 2, valid: 1, rejected: 1 });
    expect(await reasonsOf(table)).toEqual([{ row: 1, messages: [NON_FINITE] }]);
  });

  it('an event time outside 0001..9999 is a reject on every path, and reads keep answering', async () => {
    const ingest = await rt.runs.ingest({
      contract: 'pushed',
      environment: 'dev',
      actor: 'test',
      records: [
        { ts: 9007199254740991, user_id: 'u1', score: 1 },
        { ts: '0000-12-31T00:00:00Z', user_id: 'u2', score: 1 },
        { ts: '9999-12-31T23:59:59.999Z', user_id: 'u3', score: 1 },
      ],
    });
    expect(ingest.counts).toMatchObject({ read: 3, valid: 1, rejected: 2 });
    const reasons = await reasonsOf(ingest);
    expect(reasons.map((r) => r.row)).toEqual([1, 2]);
    for (const r of reasons) expect(r.messages[0]).toMatch(OUT_OF_RANGE);

    await rt.land('lines/t.jsonl', '{"ts":-62135596800001,"user_id":"u1"}\n');
    const lines = await trigger('lines');
    expect((await reasonsOf(lines))[0]!.messages[0]).toMatch(OUT_OF_RANGE);
    await rt.land('table/t.csv', 'ts,user_id,score\n0000-06-01,u1,1\n');
    const table = await trigger('table');
    expect((await reasonsOf(table))[0]!.messages[0]).toMatch(OUT_OF_RANGE);

    const read = await s.gql(
      '{ features(contract: "pushed", entities: ["u1", "u3"], asOf: "9999-12-31T23:59:59.999Z") { eventTime } contracts { freshness { newestEventTime } } }',
    );
    expect(read.errors).toBeUndefined();
    expect(read.data.features.map((f: { eventTime: string | null }) => f.eventTime)).toEqual([
      null,
      '9999-12-31T23:59:59.999Z',
    ]);
  });

  it('a JSONL line nested 5,000 deep is a reject of its own; the run succeeds', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    await rt.land(
      'lines/deep.jsonl',
      `{"ts":"2024-01-01T00:00:00Z","user_id":"u1","score":1}\n{"ts":"2024-01-01T00:00:00Z","user_id":"u2","x":${deep}}\n`,
    );
    const run = await trigger('lines');
    expect(run).toMatchObject({ status: 'succeeded', errorKind: null });
    expect(run.counts).toMatchObject({ read: 2, valid: 1, rejected: 1, written: 1 });
    expect(await reasonsOf(run)).toEqual([{ row: 2, messages: ['JSON nested deeper than 32 levels'] }]);
  });

  it('a byte-order mark before the first JSONL line is dropped', async () => {
    await rt.land(
      'lines/bom.jsonl',
      '\uFEFF{"ts":"2024-01-01T00:00:00Z","user_id":"u1","score":1}\n{"ts":"2024-01-01T00:00:00Z","user_id":"u2","score":2}\n',
    );
    const run = await trigger('lines');
    expect(run.counts).toMatchObject({ read: 2, valid: 2, rejected: 0, written: 2 });
  });

  it('a CSV header naming a column twice is refused, naming it; the run is not retried', async () => {
    await rt.land('table/dup.csv', 'ts,user_id,score,score\n2024-01-01T00:00:00Z,u1,1,2\n');
    const run = await trigger('table');
    expect(run).toMatchObject({ status: 'failed', errorKind: 'input' });
    expect(run.error).toMatch(/the CSV header names column 'score' twice \(fields 3 and 4\)/);
    expect(run.counts.written).toBe(0);
  });

  it('a file that is not valid UTF-8 is refused with the byte offset (JSONL and CSV)', async () => {
    const bad = Buffer.concat([
      Buffer.from('{"ts":"2024-01-01T00:00:00Z","user_id":"u'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}\n'),
    ]);
    await rt.land('lines/latin.jsonl', bad);
    const lines = await trigger('lines');
    expect(lines).toMatchObject({ status: 'failed', errorKind: 'input' });
    expect(lines.error).toMatch(/is not valid UTF-8 \(invalid byte at offset 41\)/);

    await rt.land(
      'table/latin.csv',
      Buffer.concat([
        Buffer.from('ts,user_id,score\n2024-01-01T00:00:00Z,Jos'),
        Buffer.from([0xe9, 0x2c, 0x31, 0x0a]),
      ]),
    );
    const table = await trigger('table');
    expect(table).toMatchObject({ status: 'failed', errorKind: 'input' });
    expect(table.error).toMatch(/is not valid UTF-8 \(invalid byte at offset 41\)/);
    // A real U+FFFD written as UTF-8 is text like any other.
    await rt.land('table/ok.csv', 'ts,user_id,score\n2024-01-01T00:00:00Z,u\uFFFD,1\n');
    expect((await trigger('table')).counts).toMatchObject({ valid: 1 });
  });
});
