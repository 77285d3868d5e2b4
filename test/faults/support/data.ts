/**
 * Contracts and inputs for the fault tests, generated so that the expected outcome
 * is known exactly: how many rows a CSV has, and how many of them are valid.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** A CSV contract over `<dir>/*.csv`: meter readings, with windows so a run does real work. */
export function metersContract(name: string, dir: string, extra = ''): string {
  return `name: ${name}
version: 1.0.0
owner: faults
entity: { name: meter, key: [meter] }
eventTime: day
source: { type: csv, path: "${dir}/*.csv" }
schema:
  - { name: day, type: date, required: true }
  - { name: meter, type: string, required: true }
  - { name: reading, type: integer, required: true, minimum: 0 }
expectations:
  - { expect: between, column: reading, min: 0, max: 999, severity: reject }
  - { expect: row_count_between, min: 1, max: 10000000, severity: fail }
features:
  - { name: reading, column: reading }
  - { name: change, window: { op: diff, column: reading } }
  - { name: reading_7, window: { op: sum, column: reading, rows: 7 } }
${extra}`;
}

/** A push contract: records arrive through the ingest mutation. */
export function pushContract(name: string): string {
  return `name: ${name}
version: 1.0.0
owner: faults
entity: { name: sensor, key: [sensor] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: sensor, type: string, required: true }
  - { name: value, type: number, required: true }
expectations: []
features:
  - { name: value, column: value }
`;
}

const DAY = 86_400_000;
const START = Date.UTC(2022, 0, 1);

/** Row i of a meters CSV; every `rejectEvery`-th reading is out of range (rejected, not valid). */
function meterRow(i: number, entities: number, rejectEvery: number, offset: number): string {
  const day = new Date(START + Math.floor((i + offset) / entities) * DAY).toISOString().slice(0, 10);
  const reading = rejectEvery > 0 && i % rejectEvery === rejectEvery - 1 ? 5000 : (i * 7919) % 1000;
  return `${day},m${String((i + offset) % entities).padStart(5, '0')},${reading}\n`;
}

export interface CsvSpec {
  rows: number;
  entities: number;
  /** 0: every row valid. */
  rejectEvery: number;
  /** Shifts the days, so several files of one contract never share (meter, day). */
  offset?: number;
}

export function validRows(s: CsvSpec): number {
  return s.rejectEvery > 0 ? s.rows - Math.floor(s.rows / s.rejectEvery) : s.rows;
}

export function metersCsv(s: CsvSpec): string {
  let out = 'day,meter,reading\n';
  for (let i = 0; i < s.rows; i++) out += meterRow(i, s.entities, s.rejectEvery, s.offset ?? 0);
  return out;
}

/** Streams a large CSV to `path` (written under a dot name, renamed when complete). */
export async function writeMetersCsv(path: string, s: CsvSpec): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const { rename } = await import('node:fs/promises');
  const tmp = `${dirname(path)}/.writing-${Date.now()}`;
  const out = createWriteStream(tmp);
  out.write('day,meter,reading\n');
  for (let i = 0; i < s.rows; i++) {
    if (!out.write(meterRow(i, s.entities, s.rejectEvery, s.offset ?? 0))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await rename(tmp, path);
}

/** `n` push records for sensor `prefix-<i>`, one second apart, distinct per `batch`. */
export function pushRecords(prefix: string, n: number, batch: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({
    ts: new Date(START + batch * 3_600_000 + i * 1000).toISOString(),
    sensor: `${prefix}-${i % 5}`,
    value: batch * 100 + i,
  }));
}
