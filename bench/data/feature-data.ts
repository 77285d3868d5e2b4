/**
 * The feature rows for the training set and online read cases: `entities` entities
 * × 100 event times × 20 numeric features, seeded. Rows come time-major (each day's
 * batch holds every entity, as daily ingestion would write them), with an
 * irregular time of day per row. The same generator feeds Tidemark and DuckDB.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { int, rng, round } from '../lib/rng';

export const FEATURE_COUNT = 20;
export const EVENTS_PER_ENTITY = 100;
export const FEATURE_NAMES = Array.from({ length: FEATURE_COUNT }, (_, i) => `f${String(i + 1).padStart(2, '0')}`);
export const START = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

export const FEATURE_CONTRACT = `
name: bench_features
version: 1.0.0
owner: bench
description: Twenty numeric features per entity, for the read benchmarks.
entity: { name: entity, key: [entity] }
eventTime: ts
source: { type: csv, path: "bench_features/*.csv" }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: entity, type: string, required: true }
${FEATURE_NAMES.map((f) => `  - { name: ${f}, type: number }`).join('\n')}
expectations:
  - { expect: row_count_between, min: 1, max: 10000000, severity: fail }
features:
${FEATURE_NAMES.map((f) => `  - { name: ${f}, column: ${f} }`).join('\n')}
`;

export interface FeatureRow {
  entity: string;
  eventTime: number;
  values: number[];
}

export function entityName(i: number): string {
  return `e${String(i).padStart(5, '0')}`;
}

/** Every feature row, in chunks of `chunk` rows (the generator never holds them all). */
export function* featureRows(entities: number, seed: number, chunk = 50_000): Generator<FeatureRow[]> {
  const r = rng(seed);
  let buf: FeatureRow[] = [];
  for (let day = 0; day < EVENTS_PER_ENTITY; day++) {
    for (let e = 0; e < entities; e++) {
      const eventTime = START + day * DAY + int(r, 20 * 3600) * 1000;
      const values = FEATURE_NAMES.map((_, k) => round(k % 2 === 0 ? r() * 100 : r() * 2 - 1, 4));
      buf.push({ entity: entityName(e), eventTime, values });
      if (buf.length >= chunk) {
        yield buf;
        buf = [];
      }
    }
  }
  if (buf.length) yield buf;
}

/** The last possible event time (for request timestamps that run past the data). */
export const END = START + EVENTS_PER_ENTITY * DAY;

export interface TrainingRequest {
  entity: string;
  at: number;
}

/**
 * Training rows: random entities at random times from two days before the first
 * event (no match: null) to a day after the last; a few entities that do not exist.
 */
export function trainingRequests(entities: number, n: number, seed: number): TrainingRequest[] {
  const r = rng(seed + 1);
  const from = START - 2 * DAY;
  const span = END + DAY - from;
  return Array.from({ length: n }, () => ({
    entity: r() < 0.005 ? entityName(entities + int(r, 1000)) : entityName(int(r, entities)),
    at: from + Math.floor(r() * span),
  }));
}

/** The feature rows as CSV (entity, event_time in epoch ms, f01..f20): DuckDB's input. */
export async function writeFeatureCsv(path: string, entities: number, seed: number): Promise<number> {
  const out = createWriteStream(path);
  out.write(`entity,event_time,${FEATURE_NAMES.join(',')}\n`);
  let n = 0;
  for (const chunk of featureRows(entities, seed)) {
    let text = '';
    for (const row of chunk) text += `${row.entity},${row.eventTime},${row.values.join(',')}\n`;
    n += chunk.length;
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return n;
}
