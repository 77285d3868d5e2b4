/**
 * The daily case's data: a store that already holds `days` days of one row per
 * entity (a plain feature and a 5-row window sum, as the contract computes them),
 * and the next days' files, one row for each of the entities a day touches, as a
 * daily pipeline lands them.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { int, rng, round } from '../lib/rng';

export const DAILY_CONTRACT = `
name: bench_daily
version: 1.0.0
owner: bench
description: One reading per entity and day, with a 5-row window, for the incremental benchmark.
entity: { name: entity, key: [entity] }
eventTime: ts
source: { type: csv, path: "bench_daily/*.csv" }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: entity, type: string, required: true }
  - { name: value, type: number, required: true }
expectations:
  - { expect: row_count_between, min: 1, max: 10000000, severity: fail }
features:
  - { name: value, column: value }
  - { name: value_5, window: { op: sum, column: value, rows: 5 } }
`;

export const DAILY_START = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;
const WINDOW = 5;

export function dailyEntity(i: number): string {
  return `e${String(i).padStart(6, '0')}`;
}

/** Day `day`'s event time for entity `e`: an irregular time of day, the same for every caller. */
function eventTime(day: number, e: number, seed: number): number {
  const r = rng(seed * 1_000_003 + day * 7_919 + e);
  return DAILY_START + day * DAY + int(r, 20 * 3600) * 1000;
}

function value(day: number, e: number, seed: number): number {
  const r = rng(seed * 999_983 + day * 104_729 + e);
  r();
  return round(r() * 100, 2);
}

export interface DailyStoreRow {
  entity: string;
  eventTime: number;
  values: { value: number; value_5: number };
}

/** Days 0..days-1 for every entity, day-major, in chunks; value_5 sums the entity's last five values. */
export function* dailyStoreRows(
  entities: number,
  days: number,
  seed: number,
  chunk = 50_000,
): Generator<DailyStoreRow[]> {
  const ring = new Float64Array(entities * WINDOW);
  let buf: DailyStoreRow[] = [];
  for (let day = 0; day < days; day++) {
    for (let e = 0; e < entities; e++) {
      const v = value(day, e, seed);
      ring[e * WINDOW + (day % WINDOW)] = v;
      let sum = 0;
      for (let k = 0; k < Math.min(WINDOW, day + 1); k++) sum += ring[e * WINDOW + k]!;
      buf.push({ entity: dailyEntity(e), eventTime: eventTime(day, e, seed), values: { value: v, value_5: sum } });
      if (buf.length >= chunk) {
        yield buf;
        buf = [];
      }
    }
  }
  if (buf.length) yield buf;
}

/**
 * Day `day`'s file: one row (ts, entity, value) for each of `touched` entities spread
 * evenly over the `entities` of the store, in a shuffled order.
 */
export async function writeDailyCsv(
  path: string,
  entities: number,
  touched: number,
  day: number,
  seed: number,
): Promise<number> {
  const stride = entities / touched;
  const order = Array.from({ length: touched }, (_, i) => Math.floor(i * stride));
  const r = rng(seed + day);
  for (let i = order.length - 1; i > 0; i--) {
    const j = int(r, i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const out = createWriteStream(path);
  out.write('ts,entity,value\n');
  let text = '';
  for (const e of order) {
    text += `${new Date(eventTime(day, e, seed)).toISOString()},${dailyEntity(e)},${value(day, e, seed)}\n`;
    if (text.length > 1 << 16) {
      if (!out.write(text)) await once(out, 'drain');
      text = '';
    }
  }
  out.end(text);
  await once(out, 'finish');
  return touched;
}
