/**
 * Multi-view training sets (multi-view.ts plans, spine-join.ts joins): several feature
 * views on one spine, point-in-time per view, one row out per spine row in spine order,
 * TTL per view, key mapping where views name keys differently, knownAt, and refusals
 * that name the row. Each view's values must equal the single-contract trainingSet's
 * for the same rows (the same statement answers both).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import type { MultiTrainingQuery } from '../../src/serving/multi-view';
import type { SpineRow } from '../../src/serving/spine-join';

const CASES = `
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
expectations: []
features:
  - { name: confirmed, column: confirmed }
  - { name: rate, column: rate }
  - { name: reported, column: date }
`;

// The same entity under another key name: the spine's `country` feeds its `iso`.
const WEATHER = `
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
  - { name: rate, type: number }
expectations: []
features:
  - { name: temp, column: temp }
  - { name: rate, column: rate }
`;

const SITES = `
name: sites
version: 1.0.0
owner: tests
entity: { name: site, key: [country, site] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: country, type: string, required: true }
  - { name: site, type: integer, required: true }
  - { name: beds, type: integer }
expectations: []
features:
  - { name: beds, column: beds }
`;

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 4, 1);
const day = (d: number) => new Date(T0 + d * DAY).toISOString().slice(0, 10);

describe(`multi-view training sets (${testEngine()})`, () => {
  let rt: TestRuntime;
  let firstCommit: Date;

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [CASES, WEATHER, SITES] });
    const ingest = async (contract: string, records: unknown[]) => {
      const run = await rt.runs.ingest({ contract, environment: 'dev', records, actor: 'test' });
      expect(run.status).toBe('succeeded');
      rt.clock.advance(60_000);
    };
    await ingest('cases', [
      { date: day(0), country: 'FRA', confirmed: 10, rate: 0.5 },
      { date: day(2), country: 'FRA', confirmed: 30, rate: null },
      { date: day(1), country: 'DEU', confirmed: 7, rate: 0.25 },
    ]);
    firstCommit = new Date(rt.clock.now());
    await ingest('weather', [
      { ts: new Date(T0 + 12 * 3_600_000).toISOString(), iso: 'FRA', temp: 14.5, rate: 2 },
      { ts: new Date(T0 + DAY * 3).toISOString(), iso: 'DEU', temp: -1, rate: 3 },
    ]);
    await ingest('sites', [{ ts: new Date(T0).toISOString(), country: 'FRA', site: 7, beds: 120 }]);
    // A later run corrects FRA day 2; as known before it, the old value shows.
    await ingest('cases', [{ date: day(2), country: 'FRA', confirmed: 31, rate: 0.75 }]);
  });
  afterAll(async () => {
    await rt.dispose();
  });

  const spine: SpineRow[] = [
    { entity: { country: 'FRA' }, at: T0 + 3 * DAY },
    { entity: { country: 'DEU' }, at: T0 },
    { entity: { country: 'FRA' }, at: T0 + DAY },
    { entity: { country: 'ITA' }, at: T0 + 5 * DAY },
    { entity: { country: 'DEU' }, at: T0 + 4 * DAY },
  ];
  const q = (extra: Partial<MultiTrainingQuery>): MultiTrainingQuery => ({ environment: 'dev', ...extra });
  const weatherView = { contract: 'weather', features: ['temp'], keyMap: { iso: 'country' } };

  it('joins two views on one spine, one row per spine row in spine order, typed values and nulls', async () => {
    const rows = await rt.features.trainingSetMulti(
      q({ features: ['cases:confirmed', 'cases:reported'], views: [weatherView] }),
      spine,
    );
    expect(rows.map((r) => [r.entity, r.timestamp.toISOString().slice(0, 10), r.values])).toEqual([
      [{ country: 'FRA' }, day(3), { confirmed: 31, reported: '2024-05-03', temp: 14.5 }],
      [{ country: 'DEU' }, day(0), { confirmed: null, reported: null, temp: null }],
      [{ country: 'FRA' }, day(1), { confirmed: 10, reported: '2024-05-01', temp: 14.5 }],
      [{ country: 'ITA' }, day(5), { confirmed: null, reported: null, temp: null }],
      [{ country: 'DEU' }, day(4), { confirmed: 7, reported: '2024-05-02', temp: -1 }],
    ]);
    // Views in first-mention order: those given in `views`, then those only referenced.
    expect(rows[0]!.features.map((f) => [f.name, f.type])).toEqual([
      ['temp', 'number'],
      ['confirmed', 'integer'],
      ['reported', 'date'],
    ]);
    expect(rows[0]!.views.map((v) => [v.contract, v.eventTime?.toISOString() ?? null])).toEqual([
      ['weather', new Date(T0 + 12 * 3_600_000).toISOString()],
      ['cases', new Date(T0 + 2 * DAY).toISOString()],
    ]);
    expect(rows[1]!.views.every((v) => v.eventTime === null && v.runId === null)).toBe(true);
  });

  it('gives each view the values its single-contract training set gives', async () => {
    const multi = await rt.features.trainingSetMulti(
      q({ views: [{ contract: 'cases' }, { ...weatherView, features: undefined }], fullFeatureNames: true }),
      spine,
    );
    const single = async (contract: string) =>
      rt.features.trainingSet({
        contract,
        environment: 'dev',
        rows: spine.map((r) => ({
          entity: (r.entity as Record<string, string>).country,
          timestamp: new Date(r.at),
        })),
      });
    const cases = await single('cases');
    const weather = await single('weather');
    multi.forEach((row, i) => {
      for (const [name, value] of Object.entries(
        cases[i]!.values ?? { confirmed: null, rate: null, reported: null },
      ))
        expect(row.values[`cases__${name}`]).toEqual(value);
      for (const [name, value] of Object.entries(weather[i]!.values ?? { temp: null, rate: null }))
        expect(row.values[`weather__${name}`]).toEqual(value);
      expect(row.views[0]!.runId).toBe(cases[i]!.runId);
    });
  });

  it('applies each view’s TTL on its own', async () => {
    const rows = await rt.features.trainingSetMulti(
      q({
        views: [
          { contract: 'cases', features: ['confirmed'], ttl: 'P2D' },
          { ...weatherView, ttl: 'P30D' },
        ],
      }),
      spine,
    );
    // FRA at day 3: its cases row of day 2 is within two days, its weather row of day 0.5 only within 30.
    expect(rows[0]!.values).toEqual({ confirmed: 31, temp: 14.5 });
    // DEU at day 4: the cases row of day 1 is three days old.
    expect(rows[4]!.values).toEqual({ confirmed: null, temp: -1 });
  });

  it('reads the store as it was known at knownAt', async () => {
    const rows = await rt.features.trainingSetMulti(
      q({ features: ['cases:confirmed', 'cases:rate'], knownAt: firstCommit }),
      spine,
    );
    expect(rows[0]!.values).toEqual({ confirmed: 30, rate: null });
    const before = await rt.features.trainingSetMulti(
      q({ features: ['cases:confirmed'], knownAt: new Date(T0) }),
      spine,
    );
    expect(before.every((r) => r.values.confirmed === null)).toBe(true);
  });

  it('joins a composite-key view from spine columns, typed from text', async () => {
    const rows = await rt.features.trainingSetMulti(q({ features: ['sites:beds', 'cases:confirmed'] }), [
      { entity: { country: 'FRA', site: '7' }, at: T0 + DAY },
      { entity: { country: 'FRA', site: 8 }, at: T0 + DAY },
    ]);
    expect(rows.map((r) => r.values)).toEqual([
      { beds: 120, confirmed: 10 },
      { beds: null, confirmed: 10 },
    ]);
  });

  it('accepts scalar entities when every view has a one-column key', async () => {
    const rows = await rt.features.trainingSetMulti(q({ features: ['cases:confirmed', 'weather:temp'] }), [
      { entity: 'DEU', at: T0 + 4 * DAY },
    ]);
    expect(rows[0]!.values).toEqual({ confirmed: 7, temp: -1 });
  });

  it('refuses what it cannot answer, naming the row, column, view or feature', async () => {
    const message = (p: Promise<unknown>) =>
      p.then(
        () => 'answered',
        (e: Error) => e.message,
      );
    const run = (extra: Partial<MultiTrainingQuery>, rows: SpineRow[] = spine) =>
      message(rt.features.trainingSetMulti(q(extra), rows));
    expect(await run({})).toMatch(/needs at least one feature view/);
    expect(await run({ features: ['confirmed'] })).toMatch(/'confirmed' is not contract:feature/);
    expect(await run({ features: ['cases:nope'] })).toMatch(/unknown feature\(s\) nope in cases@1\.0\.0/);
    expect(await run({ features: ['nothing:x'] })).toMatch(/nothing/);
    expect(await run({ features: ['cases:rate', 'weather:rate'] })).toMatch(
      /output column rate would come from both cases and weather/,
    );
    expect(await run({ views: [{ contract: 'weather', keyMap: { country: 'x' } }] })).toMatch(
      /key mapping of weather names country, not entity key columns; its key is iso/,
    );
    expect(await run({ views: [{ contract: 'cases', ttl: 'soon' }] })).toMatch(/ttl 'soon' of cases/);
    const ok = { entity: { country: 'FRA', site: 7 }, at: T0 };
    const bad = (row: SpineRow) => run({ features: ['sites:beds'] }, [ok, ok, row]);
    expect(await bad({ entity: { country: 'FRA', site: 1, shop: 2 }, at: T0 })).toMatch(
      /^rows\[2\]: unknown spine column shop; the views read country, site/,
    );
    expect(await bad({ entity: { country: 'FRA', site: 1 }, at: NaN })).toMatch(
      /^rows\[2\]: timestamp is not a valid date-time/,
    );
    expect(await bad({ entity: 'FRA', at: T0 })).toMatch(/^rows\[2\]: a view has a composite key/);
    expect(
      await run({ features: ['sites:beds'] }, [{ entity: { country: 'FRA', site: 'x' }, at: T0 }]),
    ).toMatch(/^rows\[0\]: sites: entity key column site/);
    expect(
      await run({ features: ['cases:rate'] }, [{ entity: { country: 'FRA', site: 1 }, at: T0 }]),
    ).toMatch(/^rows\[0\]: unknown spine column site/);
  });
});
