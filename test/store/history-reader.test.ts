/**
 * The history read over two lanes (history-reader.ts) must find exactly what one lane
 * finds, and must not wait for a transaction another run holds on the writer's
 * connection. Real SQLite file and real PostgreSQL, per the leg.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { insertCommittedRun, registerContract } from '../support/fixtures';
import { insertDailyRuns } from '../support/daily-runs';
import { Store } from '../../src/store/store';
import { historyChunkSize } from '../../src/store/history-reader';
import type { FeatureView, HistoryOptions, HistoryRequest } from '../../src/store/feature-rows.types';
import type { HistoryPoint } from '../../src/domain/rows';

const VIEW: FeatureView = { environment: 'dev', contract: 'country_daily', major: 1 };
const ENTITIES = 1_800;
const DAYS = 6;
const DAY = 86_400_000;
const key = (e: number) => `"e${String(e).padStart(5, '0')}"`;

/** The next day's batch: every entity once, in an order that is not the key order. */
const batch: HistoryRequest[] = Array.from({ length: ENTITIES }, (_, i) => {
  const e = (i * 7) % ENTITIES;
  return { entityKey: key(e), from: DAYS * DAY, to: DAYS * DAY + 3_600_000 };
});

const sorted = (m: Map<string, HistoryPoint[]>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

describe(`history reader (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;

  beforeAll(async () => {
    db = await createTestDb();
    store = new Store(db);
    await registerContract(store, 'country_daily', '1.0.0');
    await insertDailyRuns(store, [VIEW], {
      days: DAYS,
      entities: ENTITIES,
      key,
      values: (e, day) => ({ v: e % 3 ? e * 10 + day : null, w: day }),
    });
    // A later run restates day 4 for every tenth entity: at that event time it wins.
    const restate = await insertCommittedRun(store, 2_000);
    await store.features.insertMany(
      restate.id,
      VIEW,
      Array.from({ length: ENTITIES / 10 }, (_, i) => ({
        entityKey: key(i * 10),
        eventTime: 4 * DAY + i * 10,
        values: { v: -1, w: 44 },
      })),
    );
  }, 120_000);
  afterAll(async () => {
    await store?.features.close();
    await db?.dispose();
  });

  const shapes: Array<[string, HistoryOptions]> = [
    ['maxRows', { maxRows: 3, maxDurationMs: null }],
    ['maxDurationMs', { maxRows: null, maxDurationMs: 2 * DAY }],
    ['lastNonNull', { maxRows: 1, maxDurationMs: null, lastNonNull: { v: 2 } }],
  ];

  for (const [name, opts] of shapes) {
    it(`${name}: two lanes find exactly what one lane (in a transaction) finds`, async () => {
      const lanes = await store.features.history(VIEW, batch, opts);
      const single = await store.transaction((tx) => tx.features.history(VIEW, batch, opts));
      expect(lanes.size).toBe(ENTITIES);
      expect(sorted(lanes)).toEqual(sorted(single));
    });
  }

  it('keeps the newest rows, and the later run at a restated event time', async () => {
    const out = await store.features.history(VIEW, batch, { maxRows: 3, maxDurationMs: null });
    expect(out.get(key(7))).toEqual([
      { eventTime: 3 * DAY + 7, values: { v: 73, w: 3 } },
      { eventTime: 4 * DAY + 7, values: { v: 74, w: 4 } },
      { eventTime: 5 * DAY + 7, values: { v: 75, w: 5 } },
    ]);
    expect(out.get(key(1_240))!.map((p) => p.values)).toEqual([
      { v: 12_403, w: 3 },
      { v: -1, w: 44 },
      { v: 12_405, w: 5 },
    ]);
  });

  it('answers while another transaction holds the writer, and sees only what was committed', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const writer = store.transaction(async (tx) => {
      const run = await insertCommittedRun(tx, 3_000);
      await tx.features.insertMany(run.id, VIEW, [
        { entityKey: key(7), eventTime: 5 * DAY + 100, values: { v: 999, w: 9 } },
      ]);
      holding();
      await gate;
    });
    try {
      await held;
      const out = await store.features.history(VIEW, batch, { maxRows: 1, maxDurationMs: null });
      expect(out.get(key(7))).toEqual([{ eventTime: 5 * DAY + 7, values: { v: 75, w: 5 } }]);
    } finally {
      release();
      await writer;
    }
    const after = await store.features.history(VIEW, batch, { maxRows: 1, maxDurationMs: null });
    expect(after.get(key(7))).toEqual([{ eventTime: 5 * DAY + 100, values: { v: 999, w: 9 } }]);
  });

  it('with columns, hands over only those features of each row, typed as stored', async () => {
    const view: FeatureView = { ...VIEW, contract: 'typed_values' };
    await registerContract(store, 'typed_values', '1.0.0');
    const run = await insertCommittedRun(store, 5_000);
    await store.features.insertMany(run.id, view, [
      {
        entityKey: key(1),
        eventTime: DAY,
        values: { flag: true, name: 'a"b', n: 1.5, count_7d: 7, other: 'x' },
      },
      {
        entityKey: key(1),
        eventTime: 2 * DAY,
        values: { flag: false, name: null, n: null, count_7d: 8, other: 'y' },
      },
    ]);
    const out = await store.features.history(view, [{ entityKey: key(1), from: 3 * DAY, to: 3 * DAY }], {
      maxRows: 1,
      maxDurationMs: null,
      // n's newest non-null row lies past maxRows: the rule keeps it, so n is handed over too.
      lastNonNull: { n: 1 },
      columns: ['flag', 'name', 'count_7d', 'missing'],
    });
    expect(out.get(key(1))).toEqual([
      { eventTime: DAY, values: { flag: true, name: 'a"b', count_7d: 7, missing: null, n: 1.5 } },
      { eventTime: 2 * DAY, values: { flag: false, name: null, count_7d: 8, missing: null, n: null } },
    ]);
  });

  it('cuts a batch into statements of 500 to 5,000 entities, two per lane in between', () => {
    expect(historyChunkSize(10_000, 2)).toBe(2_500);
    expect(historyChunkSize(100_000, 2)).toBe(5_000);
    expect(historyChunkSize(300, 2)).toBe(500);
    expect(historyChunkSize(3_000, 1)).toBe(1_500);
  });
});
