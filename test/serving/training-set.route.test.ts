/**
 * POST /v1/training-set on a real server with keys required: a CSV spine in, the
 * multi-view training set out as CSV or Arrow IPC (typed: Int64, Float64, Bool, Utf8,
 * Date32, Timestamp(ms, UTC), nulls), in spine order across chunks; the same refusals
 * as GraphQL for keys, and 400s naming the bad column or row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { keyedServer, type KeyedServer } from '../auth/keyed-server';
import type { Loose } from '../support/graphql';
import { CASES, FEATURES, ingestTrainingRows, SPINE, WEATHER } from './training-set.fixtures';

describe(`POST /v1/training-set (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: KeyedServer;
  let reader: string;
  let before: string;

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [CASES, WEATHER] });
    s = await keyedServer(rt, { bulkLimits: { chunkRows: 2, maxRows: 8 } });
    reader = (await s.key('reader')).secret;
    before = await ingestTrainingRows(rt);
  });
  afterAll(async () => {
    await s.close();
    await rt.dispose();
  });

  const post = (
    query: string,
    body: string,
    headers: Record<string, string> = {},
    key: string | null = reader,
  ) =>
    fetch(`${s.base}/v1/training-set?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      body,
    });

  it('answers CSV: spine columns, timestamp, features; one row per spine row in order, nulls empty', async () => {
    const res = await post(FEATURES, SPINE);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(JSON.parse(res.headers.get('x-tidemark-types')!)).toEqual({
      country: 'string',
      timestamp: 'timestamp',
      confirmed: 'integer',
      rate: 'number',
      note: 'string',
      open: 'boolean',
      reported: 'date',
      temp: 'number',
      seen: 'timestamp',
    });
    expect(await res.text()).toBe(
      [
        'country,timestamp,confirmed,rate,note,open,reported,temp,seen',
        'FRA,2024-05-03T00:00:00.000Z,31,0.75,fix,true,2024-05-02,14.5,2024-05-01T11:59:00.000Z',
        'DEU,2024-05-01T00:00:00.000Z,,,,,,,',
        'FRA,2024-05-02T06:00:00.000Z,31,0.75,fix,true,2024-05-02,14.5,2024-05-01T11:59:00.000Z',
        'ITA,2024-05-06T00:00:00.000Z,,,,,,,',
        'DEU,2024-05-04T22:00:00.000Z,7,0.25,,,2024-05-02,-1,',
        '',
      ].join('\n'),
    );
  });

  it('reads as known at knownAt, with a TTL per view', async () => {
    const res = await post(`features=cases:confirmed,cases:note&knownAt=${before}&ttl.cases=P1D`, SPINE);
    expect(await res.text()).toBe(
      [
        'country,timestamp,confirmed,note',
        'FRA,2024-05-03T00:00:00.000Z,,',
        'DEU,2024-05-01T00:00:00.000Z,,',
        'FRA,2024-05-02T06:00:00.000Z,30,',
        'ITA,2024-05-06T00:00:00.000Z,,',
        'DEU,2024-05-04T22:00:00.000Z,,',
        '',
      ].join('\n'),
    );
  });

  it('answers an Arrow IPC stream typed by the features, across chunks, by Accept or format', async () => {
    for (const [query, headers] of [
      [FEATURES, { accept: 'application/vnd.apache.arrow.stream' }],
      [`${FEATURES}&format=arrow`, {}],
    ] as const) {
      const res = await post(query, SPINE, headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
      const table = tableFromIPC(new Uint8Array(await res.arrayBuffer()));
      expect(table.batches.length).toBe(3);
      expect(Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]))).toEqual({
        country: 'Utf8',
        timestamp: 'Timestamp<MILLISECOND, UTC>',
        confirmed: 'Int64',
        rate: 'Float64',
        note: 'Utf8',
        open: 'Bool',
        reported: 'Date32<DAY>',
        temp: 'Float64',
        seen: 'Timestamp<MILLISECOND, UTC>',
      });
      const rows = table.toArray().map((r) => r.toJSON());
      expect(rows.map((r) => r.country)).toEqual(['FRA', 'DEU', 'FRA', 'ITA', 'DEU']);
      expect(rows[0]).toMatchObject({ confirmed: 31n, rate: 0.75, note: 'fix', open: true, temp: 14.5 });
      expect(rows[0]!.timestamp).toBe(Date.UTC(2024, 4, 3));
      expect(rows[0]!.reported).toBe(Date.UTC(2024, 4, 2));
      expect(rows[0]!.seen).toBe(Date.parse('2024-05-01T11:59:00Z'));
      expect(rows[1]).toMatchObject({
        confirmed: null,
        rate: null,
        note: null,
        open: null,
        reported: null,
        temp: null,
      });
      expect(rows[4]).toMatchObject({ confirmed: 7n, note: null, temp: -1, seen: null });
    }
  });

  it('answers a spine of only a header with the columns and no rows, in both formats', async () => {
    expect(await (await post('features=cases:confirmed', 'country,timestamp\n')).text()).toBe(
      'country,timestamp,confirmed\n',
    );
    const table = tableFromIPC(
      new Uint8Array(
        await (await post('features=cases:confirmed&format=arrow', 'country,timestamp\n')).arrayBuffer(),
      ),
    );
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['country', 'timestamp', 'confirmed']);
  });

  it('refuses a missing or unknown key as GraphQL does', async () => {
    const none = await post(FEATURES, SPINE, {}, null);
    expect(none.status).toBe(401);
    expect(((await none.json()) as Loose).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const wrong = await post(FEATURES, SPINE, {}, 'tmk_nope_nope');
    expect(wrong.status).toBe(401);
  });

  it('refuses a bad spine or parameter with 400 naming the column, row or parameter', async () => {
    expect(await refused(FEATURES, 'country,when\nFRA,2024-05-01\n')).toBe(
      "spine header (line 1): unknown column 'when'; expected country, timestamp",
    );
    expect(await refused(FEATURES, 'timestamp\n2024-05-01\n')).toMatch(/missing column\(s\) country/);
    expect(await refused(FEATURES, 'country,timestamp\nFRA,2024-05-01\nDEU,yesterday\n')).toMatch(
      /^spine row 2 \(line 3\): timestamp: /,
    );
    expect(await refused(FEATURES, 'country,timestamp\nFRA,2024-05-01\nDEU\n')).toBe(
      'spine row 2 (line 3): 1 field(s); the header has 2 (country, timestamp)',
    );
    expect(await refused(FEATURES, 'country,timestamp\nFRA,2024-05-01,x\n')).toMatch(
      /^spine row 1 \(line 2\): 3 field/,
    );
    expect(await refused(FEATURES, 'country,timestamp\n,2024-05-01\n')).toMatch(
      /^spine row 1 \(line 2\): cases: entity key needs columns country; missing country/,
    );
    expect(await refused('features=cases:nope', SPINE)).toMatch(/unknown feature\(s\) nope in cases/);
    expect(await refused(`${FEATURES}&format=orc`, SPINE)).toMatch(
      /format 'orc' is not one of csv, arrow, parquet/,
    );
    expect(await refused(`${FEATURES}&colour=blue`, SPINE)).toMatch(/unknown parameter colour/);
    expect(await refused('features=cases:confirmed&knownAt=soon', SPINE)).toMatch(/knownAt 'soon'/);
    expect(await refused('features=cases:confirmed', '')).toMatch(/the spine is empty/);
  });

  const refused = async (query: string, body: string) => {
    const res = await post(query, body);
    expect(res.status).toBe(400);
    const err = ((await res.json()) as Loose).errors[0];
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    return err.message as string;
  };

  it('refuses a bad row or one over the row limit after the first chunk, before answering', async () => {
    // The spine is read once to check and count before the join starts, so a late bad row
    // is a 400 naming it, not an answer cut off after its first chunks.
    expect(
      await refused(
        'features=cases:confirmed',
        `country,timestamp\n${'FRA,2024-05-01\n'.repeat(4)}DEU,never\n`,
      ),
    ).toMatch(/spine row 5 \(line 6\)/);
    expect(
      await refused('features=cases:confirmed', `country,timestamp\n${'FRA,2024-05-01\n'.repeat(9)}`),
    ).toMatch(/8 rows/);
  });
});
