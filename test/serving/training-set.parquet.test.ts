/**
 * POST /v1/training-set with Parquet: the answer as a Parquet file (by Accept or
 * format=parquet), one row group per chunk, read back by two independent readers
 * (hyparquet and DuckDB) for its types, nulls, values and spine order; a Parquet spine
 * (Content-Type: application/vnd.apache.parquet) read by row groups, refused as the CSV
 * spine is (unknown or missing column, bad timestamp naming the row, over the limits),
 * and behind the same key gate.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { DuckDBInstance } from '@duckdb/node-api';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { keyedServer, type KeyedServer } from '../auth/keyed-server';
import type { Loose } from '../support/graphql';
import { CASES, FEATURES, ingestTrainingRows, SPINE, WEATHER } from './training-set.fixtures';

const PARQUET = 'application/vnd.apache.parquet';
const TIMES = [
  '2024-05-03T00:00:00Z',
  '2024-05-01T00:00:00Z',
  '2024-05-02T06:00:00Z',
  '2024-05-06T00:00:00Z',
  '2024-05-04T22:00:00Z',
];
const COUNTRIES = ['FRA', 'DEU', 'FRA', 'ITA', 'DEU'];

/** A Parquet spine: its country column and a timestamp column, TIMESTAMP or text. */
function parquetSpine(
  columns: { name: string; data: unknown[]; type: 'STRING' | 'TIMESTAMP' | 'INT64' }[],
  rowGroupSize = 3,
): Uint8Array {
  return new Uint8Array(parquetWriteBuffer({ columnData: columns as never, rowGroupSize }) as ArrayBuffer);
}

const SPINE_PARQUET = parquetSpine([
  { name: 'country', data: COUNTRIES, type: 'STRING' },
  { name: 'timestamp', data: TIMES.map((t) => new Date(t)), type: 'TIMESTAMP' },
]);

describe(`POST /v1/training-set with Parquet (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: KeyedServer;
  let reader: string;
  let dir: string;

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [CASES, WEATHER] });
    s = await keyedServer(rt, { bulkLimits: { chunkRows: 2, maxRows: 8, maxSpineBytes: 64 * 1024 } });
    reader = (await s.key('reader')).secret;
    dir = await mkdtemp(join(tmpdir(), 'tidemark-parquet-test-'));
    await ingestTrainingRows(rt);
  });
  afterAll(async () => {
    await s.close();
    await rt.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (
    query: string,
    body: string | Uint8Array,
    headers: Record<string, string> = {},
    key: string | null = reader,
  ) =>
    fetch(`${s.base}/v1/training-set?${query}`, {
      method: 'POST',
      headers: {
        'content-type': typeof body === 'string' ? 'text/csv' : PARQUET,
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...headers,
      },
      body,
    });

  const refused = async (query: string, body: string | Uint8Array) => {
    const res = await post(query, body);
    expect(res.status).toBe(400);
    const err = ((await res.json()) as Loose).errors[0];
    expect(err.extensions.code).toBe('BAD_USER_INPUT');
    return err.message as string;
  };

  /** The answer's bytes, checked as a Parquet file of the shared spine's training set. */
  async function expectTrainingSet(bytes: ArrayBuffer): Promise<void> {
    const meta = parquetMetadata(bytes);
    // One row group per chunk of two spine rows.
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([2, 2, 1]);
    const schema = Object.fromEntries(
      meta.schema
        .slice(1)
        .map((e) => [
          e.name,
          [e.type, e.logical_type?.type ?? e.converted_type ?? null, e.repetition_type].join(' '),
        ]),
    );
    expect(schema).toEqual({
      country: 'BYTE_ARRAY STRING OPTIONAL',
      timestamp: 'INT64 TIMESTAMP REQUIRED',
      confirmed: 'INT64  OPTIONAL',
      rate: 'DOUBLE  OPTIONAL',
      note: 'BYTE_ARRAY STRING OPTIONAL',
      open: 'BOOLEAN  OPTIONAL',
      reported: 'INT32 DATE OPTIONAL',
      temp: 'DOUBLE  OPTIONAL',
      seen: 'INT64 TIMESTAMP OPTIONAL',
    });
    for (const e of meta.schema.filter((x) => x.logical_type?.type === 'TIMESTAMP'))
      expect(e.logical_type).toMatchObject({ isAdjustedToUTC: true, unit: 'MILLIS' });
    const rows = await parquetReadObjects({ file: bytes });
    expect(rows.map((r) => r.country)).toEqual(COUNTRIES);
    expect(rows.map((r) => (r.timestamp as Date).toISOString())).toEqual(
      TIMES.map((t) => new Date(t).toISOString()),
    );
    expect(rows[0]).toMatchObject({ confirmed: 31n, rate: 0.75, note: 'fix', open: true, temp: 14.5 });
    expect((rows[0]!.reported as Date).toISOString()).toBe('2024-05-02T00:00:00.000Z');
    expect((rows[0]!.seen as Date).toISOString()).toBe('2024-05-01T11:59:00.000Z');
    for (const r of [rows[1]!, rows[3]!])
      expect(r).toMatchObject({ confirmed: null, rate: null, note: null, open: null, reported: null });
    expect(rows[4]).toMatchObject({
      confirmed: 7n,
      rate: 0.25,
      note: null,
      open: null,
      temp: -1,
      seen: null,
    });

    // A second reader, for the types as a query engine sees them.
    const file = join(dir, `answer-${Math.random().toString(36).slice(2)}.parquet`);
    await writeFile(file, new Uint8Array(bytes));
    const duck = await DuckDBInstance.create(':memory:');
    const conn = await duck.connect();
    try {
      const described = (
        await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)
      ).getRowObjects();
      expect(Object.fromEntries(described.map((r) => [r.column_name, r.column_type]))).toEqual({
        country: 'VARCHAR',
        timestamp: 'TIMESTAMP WITH TIME ZONE',
        confirmed: 'BIGINT',
        rate: 'DOUBLE',
        note: 'VARCHAR',
        open: 'BOOLEAN',
        reported: 'DATE',
        temp: 'DOUBLE',
        seen: 'TIMESTAMP WITH TIME ZONE',
      });
      const sums = (
        await conn.runAndReadAll(
          `SELECT count(*)::INT AS n, count(confirmed)::INT AS c, sum(confirmed)::INT AS s FROM read_parquet('${file}')`,
        )
      ).getRowObjects()[0]!;
      expect(sums).toEqual({ n: 5, c: 3, s: 69 });
    } finally {
      conn.closeSync();
      duck.closeSync();
    }
  }

  it('answers Parquet typed by the features, in spine order, by Accept or format', async () => {
    for (const [query, headers] of [
      [FEATURES, { accept: PARQUET }],
      [`${FEATURES}&format=parquet`, {}],
    ] as const) {
      const res = await post(query, SPINE, headers);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(PARQUET);
      await expectTrainingSet(await res.arrayBuffer());
    }
  });

  it('reads a Parquet spine by row groups: TIMESTAMP or text timestamps, any answer format', async () => {
    const res = await post(`${FEATURES}&format=parquet`, SPINE_PARQUET);
    expect(res.status).toBe(200);
    await expectTrainingSet(await res.arrayBuffer());

    const text = parquetSpine(
      [
        {
          name: 'timestamp',
          data: [
            '2024-05-03',
            '2024-05-01T00:00:00Z',
            '2024-05-02 06:00',
            '2024-05-06T00:00:00Z',
            '2024-05-05T00:00:00+02:00',
          ],
          type: 'STRING',
        },
        { name: 'country', data: COUNTRIES, type: 'STRING' },
      ],
      2,
    );
    const csv = await post('features=cases:confirmed,weather:temp&key.weather.iso=country', text);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toBe(
      [
        'country,timestamp,confirmed,temp',
        'FRA,2024-05-03T00:00:00.000Z,31,14.5',
        'DEU,2024-05-01T00:00:00.000Z,,',
        'FRA,2024-05-02T06:00:00.000Z,31,14.5',
        'ITA,2024-05-06T00:00:00.000Z,,',
        'DEU,2024-05-04T22:00:00.000Z,7,-1',
        '',
      ].join('\n'),
    );
  });

  it('refuses a bad Parquet spine with 400 naming the column or row', async () => {
    expect(
      await refused(
        FEATURES,
        parquetSpine([
          { name: 'country', data: ['FRA'], type: 'STRING' },
          { name: 'when', data: [new Date(0)], type: 'TIMESTAMP' },
        ]),
      ),
    ).toBe("spine columns: unknown column 'when'; expected country, timestamp");
    expect(
      await refused(FEATURES, parquetSpine([{ name: 'timestamp', data: [new Date(0)], type: 'TIMESTAMP' }])),
    ).toMatch(/^spine columns: missing column\(s\) country/);
    expect(
      await refused(
        FEATURES,
        parquetSpine(
          [
            { name: 'country', data: ['FRA', 'DEU'], type: 'STRING' },
            { name: 'timestamp', data: ['2024-05-01', 'yesterday'], type: 'STRING' },
          ],
          1,
        ),
      ),
    ).toBe("spine row 2 (row group 2): timestamp: cannot read 'yesterday' as timestamp");
    expect(
      await refused(
        FEATURES,
        parquetSpine([
          { name: 'country', data: ['FRA'], type: 'STRING' },
          { name: 'timestamp', data: [1714521600000n], type: 'INT64' },
        ]),
      ),
    ).toMatch(/^spine row 1 \(row group 1\): timestamp: a bigint is not a timestamp/);
    // A key that is null is an empty key, as an empty CSV field is.
    expect(
      await refused(
        FEATURES,
        parquetSpine([
          { name: 'country', data: [null], type: 'STRING' },
          { name: 'timestamp', data: [new Date(0)], type: 'TIMESTAMP' },
        ]),
      ),
    ).toMatch(/^spine row 1 \(row group 1\): cases: entity key needs columns country; missing country/);
    expect(await refused(FEATURES, new TextEncoder().encode('country,timestamp\n'))).toMatch(
      /^the spine is not a valid Parquet file: /,
    );
    expect(await refused(FEATURES, new Uint8Array(64 * 1024 + 1))).toBe(
      'the Parquet spine is over 65536 bytes, the limit per request',
    );
  });

  it('refuses a Parquet spine past the row limit before answering', async () => {
    const nine = parquetSpine([
      { name: 'country', data: new Array(9).fill('FRA'), type: 'STRING' },
      { name: 'timestamp', data: new Array(9).fill(new Date(TIMES[0]!)), type: 'TIMESTAMP' },
    ]);
    const res = await post('features=cases:confirmed&format=parquet', nine);
    expect(res.status).toBe(400);
    expect(((await res.json()) as Loose).errors[0].message).toMatch(/8 rows/);
  });

  it('refuses a Parquet spine without a key, or with an unknown one, before reading it', async () => {
    for (const key of [null, 'tmk_nope_nope']) {
      const res = await post(`${FEATURES}&format=parquet`, SPINE_PARQUET, {}, key);
      expect(res.status).toBe(401);
      expect(((await res.json()) as Loose).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});
