/**
 * The contracts, rows and spine the POST /v1/training-set tests share: two views (a
 * daily one keyed by country, a timestamped one keyed by iso) with every output type,
 * nulls, a correction committed after `before`, and a spine out of time order.
 */
import { expect } from 'vitest';
import type { TestRuntime } from '../support/runtime';

export const CASES = `
name: cases
version: 1.0.0
owner: tests
entity: { name: country, key: [country] }
eventTime: date
source: { type: push }
schema:
  - { name: date, type: date, required: true }
  - { name: country, type: string, required: true }
  - { name: confirmed, type: integer }
  - { name: rate, type: number }
  - { name: note, type: string }
  - { name: open, type: boolean }
expectations: []
features:
  - { name: confirmed, column: confirmed }
  - { name: rate, column: rate }
  - { name: note, column: note }
  - { name: open, column: open }
  - { name: reported, column: date }
`;
export const WEATHER = `
name: weather
version: 1.0.0
owner: tests
entity: { name: place, key: [iso] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: iso, type: string, required: true }
  - { name: temp, type: number }
  - { name: seen, type: timestamp }
expectations: []
features:
  - { name: temp, column: temp }
  - { name: seen, column: seen }
`;

export const SPINE = `country,timestamp
FRA,2024-05-03T00:00:00Z
DEU,2024-05-01
FRA,2024-05-02 06:00
ITA,2024-05-06T00:00:00Z
DEU,2024-05-05T00:00:00+02:00
`;
export const FEATURES =
  'features=cases:confirmed,cases:rate,cases:note&features=cases:open&features=cases:reported&features=weather:*&key.weather.iso=country';

/** Ingests the shared rows; answers the system time just before the correction commits. */
export async function ingestTrainingRows(rt: TestRuntime): Promise<string> {
  const ingest = async (contract: string, records: unknown[]) => {
    const run = await rt.runs.ingest({ contract, environment: 'dev', records, actor: 'test' });
    expect(run.status).toBe('succeeded');
    rt.clock.advance(60_000);
  };
  await ingest('cases', [
    { date: '2024-05-01', country: 'FRA', confirmed: 10, rate: 0.5, note: 'a, "quoted" note', open: true },
    { date: '2024-05-02', country: 'FRA', confirmed: 30, rate: null, note: '', open: false },
    { date: '2024-05-02', country: 'DEU', confirmed: 7, rate: 0.25, note: null, open: null },
  ]);
  await ingest('weather', [
    { ts: '2024-05-01T12:00:00Z', iso: 'FRA', temp: 14.5, seen: '2024-05-01T11:59:00Z' },
    { ts: '2024-05-04T00:00:00Z', iso: 'DEU', temp: -1, seen: null },
  ]);
  // Just before the correction below commits.
  const before = new Date(rt.clock.now() - 1).toISOString();
  await ingest('cases', [
    { date: '2024-05-02', country: 'FRA', confirmed: 31, rate: 0.75, note: 'fix', open: true },
  ]);
  return before;
}
