/**
 * Lease renewals go through a connection of their own: a heartbeat is written while
 * the process's own work holds the pool (on SQLite its one connection, e.g. a long
 * history read inside a transaction), instead of queueing behind it until the lease
 * lapses. A renewal tells a run that is no longer its holder's.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { insertRun, registerContract, T0 } from '../support/fixtures';
import { Store } from '../../src/store/store';
import type { Run } from '../../src/domain/run';

describe(`LeaseRepository (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  let run: Run;
  beforeEach(async () => {
    db = await createTestDb();
    store = new Store(db);
    await registerContract(store, 'country_daily', '1.0.0');
    run = await insertRun(store);
    expect(await store.runs.claim(run, 'host:1', T0, T0 + 1_000, 'boot/1')).toBe(true);
  });
  afterEach(async () => {
    await store.features.close();
    await db.dispose();
  });

  const leaseOf = async (id: string) => (await store.runs.runningClaims()).find((c) => c.run.id === id);

  it('renews while a transaction of the same process holds the pool', async () => {
    const pool = db.knex.client.pool as { max: number };
    let renewal!: Promise<boolean>;
    await store.transaction(async (tx) => {
      await tx.runs.get(run.id); // the pool's connection is this transaction's until it ends
      renewal = store.leases.extend(run.id, 'host:1', T0 + 5_000);
      // PostgreSQL: done while the transaction still holds the pool. SQLite: the
      // transaction holds the write lock from its BEGIN IMMEDIATE (sqlite-immediate.ts),
      // so the renewal waits for the commit, not for the pool.
      if (testEngine() === 'postgres') expect(await renewal).toBe(true);
    });
    expect(await renewal).toBe(true);
    expect(await leaseOf(run.id)).toMatchObject({
      claimedBy: 'host:1',
      incarnation: 'boot/1',
      leaseUntil: T0 + 5_000,
    });
    if (testEngine() === 'sqlite') expect(pool.max).toBe(1); // what made heartbeats queue before
  });

  it('refuses another holder, and a run that is no longer running', async () => {
    expect(await store.leases.extend(run.id, 'host:2', T0 + 5_000)).toBe(false);
    expect((await leaseOf(run.id))!.leaseUntil).toBe(T0 + 1_000);
    await store.runs.update(run.id, { status: 'succeeded' }, ['running']);
    expect(await store.leases.extend(run.id, 'host:1', T0 + 5_000)).toBe(false);
    expect(await store.leases.state(run.id)).toEqual({ status: 'succeeded', errorKind: null, error: null });
    expect(await store.leases.state('run_unknown')).toBeNull();
  });
});
