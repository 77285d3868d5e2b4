/**
 * The ingest case's input: a seeded CSV of device readings (time-major, as hourly
 * feeds arrive) with a few percent of dirty rows of every kind a contract must
 * catch, and the contract that reads it with ten expectations, plain, derived and
 * window features.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { int, rng, round, type Rng } from '../lib/rng';

export const INGEST_CONTRACT = `
name: bench_ingest
version: 1.0.0
owner: bench
description: Device readings, hourly, for the ingest benchmark.
entity: { name: device, key: [device] }
eventTime: ts
source: { type: csv, path: "bench_ingest/*.csv" }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: device, type: string, required: true }
  - { name: reading, type: number, required: true }
  - { name: count, type: integer, required: true }
  - { name: status, type: string }
  - { name: temp, type: number }
  - { name: ok, type: boolean }
  - { name: region, type: string }
expectations:
  - { expect: not_null, column: temp, mostly: 0.95, severity: warn }
  - { expect: between, column: reading, min: 0, max: 1000, severity: reject }
  - { expect: between, column: count, min: 0, max: 100000, severity: reject }
  - { expect: in_set, column: status, values: [ok, warn, err], severity: reject }
  - { expect: match_regex, column: device, regex: '^d[0-9]{5}$', severity: reject }
  - { expect: length_between, column: region, min: 2, max: 16, severity: warn }
  - { expect: no_future_event_time, severity: reject }
  - { expect: compound_unique, columns: [device, ts], severity: reject }
  - { expect: row_count_between, min: 1, max: 10000000, severity: fail }
  - { expect: mean_between, column: reading, min: 0, max: 1000, severity: warn }
features:
  - { name: reading, column: reading }
  - { name: count, column: count }
  - { name: temp, column: temp }
  - { name: ok, column: ok }
  - { name: per_count, expr: 'reading / (count + 1)' }
  - { name: reading_sum_5, window: { op: sum, column: reading, rows: 5 } }
`;

export const INGEST_COLUMNS = ['ts', 'device', 'reading', 'count', 'status', 'temp', 'ok', 'region'] as const;

/** SQL column types of the same columns, for the baselines' tables. */
export const INGEST_SQL_TYPES: Record<(typeof INGEST_COLUMNS)[number], { sqlite: string; duckdb: string }> = {
  ts: { sqlite: 'TEXT', duckdb: 'TIMESTAMPTZ' },
  device: { sqlite: 'TEXT', duckdb: 'VARCHAR' },
  reading: { sqlite: 'REAL', duckdb: 'DOUBLE' },
  count: { sqlite: 'INTEGER', duckdb: 'BIGINT' },
  status: { sqlite: 'TEXT', duckdb: 'VARCHAR' },
  temp: { sqlite: 'REAL', duckdb: 'DOUBLE' },
  ok: { sqlite: 'INTEGER', duckdb: 'BOOLEAN' },
  region: { sqlite: 'TEXT', duckdb: 'VARCHAR' },
};

export const INGEST_HOURS = 100;
const START = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;
const DIRTY_RATE = 0.03;
const STATUSES = ['ok', 'ok', 'ok', 'warn', 'err'];
const REGIONS = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south', 'ap-northeast'];

/** The kinds of dirty row, each caught by a different rule (parse, coercion, required, expectation). */
const DIRT: Array<(cells: string[], prev: string[] | null) => string[]> = [
  (c) => set(c, 2, 'n/a?'), // reading not a number → coercion reject
  (c) => set(c, 1, ''), // device missing → required reject
  (c) => set(c, 2, '5000'), // reading out of range → between reject
  (c) => set(c, 4, 'bogus'), // status not in set → in_set reject
  (c) => set(c, 1, `X${c[1]!.slice(1)}`), // device malformed → match_regex reject
  (c) => c.slice(0, 5), // short line → parse reject
  (c, prev) => (prev ? [prev[0]!, prev[1]!, ...c.slice(2)] : c), // duplicate (device, ts) → compound_unique reject
  (c) => set(c, 0, '2024-13-45T99:00:00Z'), // impossible timestamp → coercion reject
];

function set(cells: string[], i: number, v: string): string[] {
  const out = [...cells];
  out[i] = v;
  return out;
}

export interface IngestCsvInfo {
  rows: number;
  devices: number;
  dirty: number;
}

/** Writes `rows` data lines (plus the header): devices = rows / 100, one reading per device per hour. */
export async function writeIngestCsv(path: string, rows: number, seed: number): Promise<IngestCsvInfo> {
  const r = rng(seed);
  const devices = Math.max(1, Math.round(rows / INGEST_HOURS));
  const out = createWriteStream(path);
  out.write(`${INGEST_COLUMNS.join(',')}\n`);
  let prev: string[] | null = null;
  let dirty = 0;
  let buf = '';
  for (let i = 0; i < rows; i++) {
    let cells = cleanRow(r, i % devices, Math.floor(i / devices));
    if (r() < DIRTY_RATE) {
      cells = DIRT[int(r, DIRT.length)]!(cells, prev);
      dirty++;
    }
    prev = cells;
    buf += `${cells.join(',')}\n`;
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
  return { rows, devices, dirty };
}

function cleanRow(r: Rng, device: number, hour: number): string[] {
  const ts = new Date(START + hour * HOUR).toISOString().replace('.000Z', 'Z');
  const temp = r() < 0.01 ? '' : String(round(15 + r() * 20, 2));
  return [
    ts,
    `d${String(device).padStart(5, '0')}`,
    String(round(r() * 1000, 3)),
    String(int(r, 1000)),
    STATUSES[int(r, STATUSES.length)]!,
    temp,
    r() < 0.5 ? 'true' : 'false',
    REGIONS[int(r, REGIONS.length)]!,
  ];
}
