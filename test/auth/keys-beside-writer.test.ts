/**
 * Keyed reads while a run's write transaction holds the database (issue 15 "Runs never
 * stall reads"). Where keys are required every request looks its key up: on SQLite that
 * lookup waited for the one pooled connection, which a run's commit holds for seconds,
 * so reads with a key stalled for the whole commit although the read itself has a
 * connection of its own. The lookup reads there too, and a request does not queue a
 * write of the key's last use behind the writer every time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { keyedServer, PUSH_CONTRACT, type KeyedServer } from './keyed-server';
import { TOUCH_EVERY_MS } from '../../src/auth/key.service';
import type { Knex } from 'knex';
import { holdTransaction } from '../support/hold-transaction';

/** A budget against a hang, not a timing: a request queued behind the writer never answers. */
const HANG_MS = 3_000;
const READ = 'query { features(contract: "pings", entities: ["d1"]) { entity values } }';

describe(`keyed reads beside a long write transaction (${testEngine()})`, () => {
  let rt: TestRuntime;
  let keyed: KeyedServer;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [PUSH_CONTRACT] });
    await rt.runs.ingest({
      contract: 'pings',
      environment: 'dev',
      records: [{ ts: '2024-01-01T00:00:00Z', device: 'd1', n: 7 }],
      actor: 'test',
    });
    keyed = await keyedServer(rt);
  });
  afterEach(async () => {
    await keyed.close();
    await rt.dispose();
  });

  it('authenticate and answer, request after request, while a transaction holds a connection', async () => {
    const key = await keyed.key('reader');
    const token = key.secret;
    expect((await keyed.post(READ, token)).body.data.features).toEqual([{ entity: 'd1', values: { n: 7 } }]);
    const hold = await holdTransaction(rt.store.db as Knex);
    try {
      for (let i = 0; i < 3; i++) {
        const answer = await Promise.race([
          keyed.post(READ, token).then((a) => ({ status: a.status, features: a.body.data?.features })),
          new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), HANG_MS)),
        ]);
        expect(answer).toEqual({ status: 200, features: [{ entity: 'd1', values: { n: 7 } }] });
      }
    } finally {
      await hold.release();
    }
    // A revoked key is refused at once, the same lookup.
    await rt.keys.revoke(key.id, 'test');
    expect((await keyed.post(READ, token)).status).toBe(401);
  });

  it("writes a key's last use at most once a minute per process, not once a request", async () => {
    const key = await keyed.key('reader');
    const updates: string[] = [];
    const count = (q: { sql: string }) => {
      if (/^update/i.test(q.sql) && q.sql.includes('api_keys')) updates.push(q.sql);
    };
    rt.store.db.client.on('query', count);
    try {
      const lastUsed = async () => (await rt.store.apiKeys.get(key.id))!.lastUsedAt;
      for (let i = 0; i < 5; i++) await keyed.post(READ, key.secret);
      await expect.poll(() => updates.length).toBe(1);
      // Through the pool, after whatever the requests queued there (one SQLite connection: in order).
      await rt.store.db.raw('select 1');
      expect(updates).toHaveLength(1);
      expect(await lastUsed()).toBe(rt.clock.now());
      rt.clock.advance(TOUCH_EVERY_MS);
      await keyed.post(READ, key.secret);
      await expect.poll(() => updates.length).toBe(2);
      await expect.poll(lastUsed).toBe(rt.clock.now());
    } finally {
      rt.store.db.client.off('query', count);
    }
  });
});
