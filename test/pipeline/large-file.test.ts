/**
 * A 200,000-row CSV, generated on the fly into the landing directory, runs end to
 * end: counts, a few feature values (computed from the generator's formula) and the
 * peak resident memory of the process during the run, sampled every 100 ms.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';

const ROWS = 200_000;
const ENTITIES = 1_000;
const DAYS = ROWS / ENTITIES;
const DAY = 86_400_000;
const START = Date.UTC(2023, 0, 1);
/** Generous: the whole run (rows, features, their inserts) must stay well inside this. */
const RSS_BOUND = 1.5 * 1024 ** 3;

const CONTRACT = `
name: meters
version: 1.0.0
owner: tests
entity: { name: meter, key: [meter] }
eventTime: day
source: { type: csv, path: "meters/*.csv" }
schema:
  - { name: day, type: date, required: true }
  - { name: meter, type: string, required: true }
  - { name: reading, type: integer, required: true, minimum: 0 }
  - { name: site, type: string }
expectations:
  - { expect: not_null, column: site, severity: warn }
  - { expect: between, column: reading, min: 0, max: 999, severity: reject }
  - { expect: row_count_between, min: 1, max: 1000000, severity: fail }
features:
  - { name: reading, column: reading }
  - { name: change, window: { op: diff, column: reading } }
  - { name: reading_7, window: { op: sum, column: reading, rows: 7 } }
  - { name: half, expr: 'reading / 2' }
`;

/** Row i: meter i % ENTITIES on day i / ENTITIES; every 10,000th reading is out of range. */
const meterOf = (i: number) => `m${String(i % ENTITIES).padStart(4, '0')}`;
const dayOf = (i: number) => Math.floor(i / ENTITIES);
const readingOf = (i: number) => (i % 10_000 === 9_999 ? 5_000 : (i * 7_919) % 1_000);
const rowIndex = (meter: number, day: number) => day * ENTITIES + meter;

async function writeCsv(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write('day,meter,reading,site\n');
  for (let i = 0; i < ROWS; i++) {
    const date = new Date(START + dayOf(i) * DAY).toISOString().slice(0, 10);
    const line = `${date},${meterOf(i)},${readingOf(i)},site-${i % 7}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Peak RSS while `fn` runs, sampled every 100 ms. */
async function peakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

describe(`a 200,000-row CSV (${testEngine()})`, () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [CONTRACT] });
  });
  afterEach(async () => rt?.dispose());

  it('runs end to end within bounded memory', async () => {
    await mkdir(join(rt.config.landingDir, 'meters'), { recursive: true });
    await writeCsv(join(rt.config.landingDir, 'meters', 'big.csv'));
    const before = process.memoryUsage().rss;

    const { result: run, peak } = await peakRss(() =>
      rt.runs.trigger({ contract: 'meters', environment: 'dev', actor: 'test' }),
    );

    const mb = (n: number) => `${Math.round(n / 1024 ** 2)} MB`;
    console.log(
      `[large-file] ${ROWS} rows on ${testEngine()}: peak RSS ${mb(peak)} (${mb(before)} before the run)`,
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe('succeeded');
    const outOfRange = ROWS / 10_000;
    expect(run.counts).toEqual({
      read: ROWS,
      valid: ROWS - outOfRange,
      rejected: outOfRange,
      filtered: 0,
      written: ROWS - outOfRange,
    });
    expect((await rt.store.rawBatches.forRun(run.id))[0]!.rowCount).toBe(ROWS);
    expect((await rt.store.rejects.forRun(run.id, 1)).totalCount).toBe(outOfRange);
    expect(peak).toBeLessThan(RSS_BOUND);

    // Meter 42 on the last day: its reading, the change since the day before, the last 7 days.
    const last = DAYS - 1;
    const [v] = await rt.features.features({ contract: 'meters', entities: ['m0042'], environment: 'dev' });
    const r = (d: number) => readingOf(rowIndex(42, d));
    expect(v!.eventTime!.getTime()).toBe(START + last * DAY);
    expect(v!.values).toEqual({
      reading: r(last),
      change: r(last) - r(last - 1),
      reading_7: [0, 1, 2, 3, 4, 5, 6].reduce((s, k) => s + r(last - k), 0),
      half: r(last) / 2,
    });
    // Meter 9999 % 1000 = 999 on day 9 was rejected (5000 is out of range): day 8's values stand.
    const [rejected] = await rt.features.features({
      contract: 'meters',
      entities: [meterOf(9_999)],
      environment: 'dev',
      asOf: new Date(START + dayOf(9_999) * DAY),
    });
    expect(rejected!.eventTime!.getTime()).toBe(START + (dayOf(9_999) - 1) * DAY);
  }, 300_000);
});
