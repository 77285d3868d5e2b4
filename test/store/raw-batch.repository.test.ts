import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { insertRun, makeRawBatch, registerContract, T0 } from '../support/fixtures';
import { Store } from '../../src/store/store';
import { isUniqueViolation } from '../../src/store/dialect';

describe(`RawBatchRepository (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  beforeEach(async () => {
    db = await createTestDb();
    store = new Store(db);
    await registerContract(store, 'country_daily', '1.0.0');
  });
  afterEach(() => db.dispose());

  it('round-trips a batch by id and by (contract, sha256), big sizes and nulls included', async () => {
    const big = makeRawBatch({ sizeBytes: 5_000_000_000, receivedAt: Date.UTC(2031, 0, 1), sourceUri: null });
    const small = makeRawBatch({ rowCount: null });
    await store.rawBatches.insert(big);
    await store.rawBatches.insert(small);

    expect(await store.rawBatches.get(big.id)).toEqual(big);
    expect(await store.rawBatches.findBySha('country_daily', big.sha256)).toEqual(big);
    expect(await store.rawBatches.get(small.id)).toEqual(small);
    expect((await store.rawBatches.get(big.id))!.sizeBytes).toBe(5_000_000_000);

    expect(await store.rawBatches.get('raw_missing')).toBeNull();
    expect(await store.rawBatches.findBySha('other_contract', big.sha256)).toBeNull();
    expect(await store.rawBatches.findBySha('country_daily', 'f'.repeat(64))).toBeNull();
  });

  it('sets the row count once parsed', async () => {
    const b = makeRawBatch({ rowCount: null });
    await store.rawBatches.insert(b);
    await store.rawBatches.setRowCount(b.id, 42);
    expect(await store.rawBatches.get(b.id)).toEqual({ ...b, rowCount: 42 });
  });

  it('keeps one batch per (contract, sha256), but the same content may land for two contracts', async () => {
    const first = makeRawBatch();
    await store.rawBatches.insert(first);
    const err = await store.rawBatches.insert(makeRawBatch({ sha256: first.sha256 })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).not.toBeNull();
    expect(isUniqueViolation(err)).toBe(true);

    const other = makeRawBatch({ sha256: first.sha256, contractName: 'air_quality' });
    await store.rawBatches.insert(other);
    expect((await store.rawBatches.findBySha('air_quality', first.sha256))!.id).toBe(other.id);
    expect((await store.rawBatches.findBySha('country_daily', first.sha256))!.id).toBe(first.id);
  });

  it('returns the batches of a run in the order the run read them', async () => {
    // Ids, receipt times and read order all disagree, so only `ordinal` can explain the result.
    const b1 = makeRawBatch({ id: 'raw_a', receivedAt: T0 + 3 });
    const b2 = makeRawBatch({ id: 'raw_b', receivedAt: T0 + 1 });
    const b3 = makeRawBatch({ id: 'raw_c', receivedAt: T0 + 2 });
    for (const b of [b1, b2, b3]) await store.rawBatches.insert(b);
    const run = await insertRun(store);
    const other = await insertRun(store);
    await store.rawBatches.linkToRun(run.id, [b3.id, b1.id, b2.id]);
    await store.rawBatches.linkToRun(other.id, [b2.id]);
    await store.rawBatches.linkToRun(other.id, []);

    expect(await store.rawBatches.forRun(run.id)).toEqual([b3, b1, b2]);
    expect(await store.rawBatches.forRun(other.id)).toEqual([b2]);
    expect(await store.rawBatches.forRun('run_missing')).toEqual([]);
  });

  it('lists the batches of a contract oldest first, ties by id', async () => {
    const late = makeRawBatch({ id: 'raw_1', receivedAt: T0 + 20 });
    const tieB = makeRawBatch({ id: 'raw_3', receivedAt: T0 + 10 });
    const tieA = makeRawBatch({ id: 'raw_2', receivedAt: T0 + 10 });
    const foreign = makeRawBatch({ id: 'raw_0', contractName: 'air_quality', receivedAt: T0 });
    for (const b of [late, tieB, tieA, foreign]) await store.rawBatches.insert(b);

    expect(await store.rawBatches.forContract('country_daily')).toEqual([tieA, tieB, late]);
    expect(await store.rawBatches.forContract('air_quality')).toEqual([foreign]);
    expect(await store.rawBatches.forContract('nobody')).toEqual([]);
  });

  it('tells which runs read a batch', async () => {
    const shared = makeRawBatch();
    const lonely = makeRawBatch();
    await store.rawBatches.insert(shared);
    await store.rawBatches.insert(lonely);
    const r1 = await insertRun(store);
    const r2 = await insertRun(store, { trigger: 'reprocess' });
    await store.rawBatches.linkToRun(r1.id, [shared.id, lonely.id]);
    await store.rawBatches.linkToRun(r2.id, [shared.id]);

    expect((await store.rawBatches.runsOf(shared.id)).sort()).toEqual([r1.id, r2.id].sort());
    expect(await store.rawBatches.runsOf(lonely.id)).toEqual([r1.id]);
    expect(await store.rawBatches.runsOf('raw_missing')).toEqual([]);
  });

  it('refuses to link a run to a batch that does not exist', async () => {
    const run = await insertRun(store);
    await expect(store.rawBatches.linkToRun(run.id, ['raw_missing'])).rejects.toThrow(/foreign key/i);
  });
});
