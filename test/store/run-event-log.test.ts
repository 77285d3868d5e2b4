/**
 * The run event log on both engines: a trigger records every status change with the
 * run's counts of that moment; a reader after cursor c never skips an event that
 * commits later (PostgreSQL: two concurrent transactions); pruning removes only events
 * older than the horizon.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { makeRun } from '../support/fixtures';
import { testEngine } from '../support/engine';
import { repoFile } from '../support/graphql';
import { RunEventLog, RUN_EVENTS_TABLE } from '../../src/store/run-event-log';
import type { Knex } from 'knex';
import { loadConfig, parseDuration } from '../../src/config';
import { holdTransaction } from '../support/hold-transaction';

describe(`run event log (${testEngine()})`, () => {
  let rt: TestRuntime;
  let log: RunEventLog;
  let version: string;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [repoFile('contracts/card_transactions.yaml')] });
    log = new RunEventLog(rt.store.db as Knex);
    const cv = await rt.store.db('contract_versions').first('name', 'version');
    version = cv?.version;
    contract = cv?.name;
  });
  afterEach(async () => {
    await rt.dispose();
  });
  let contract: string;
  const aRun = () => makeRun({ contractName: contract, contractVersion: version, status: 'queued' });

  it('records each status change with the counts of that moment, in cursor order', async () => {
    const r = aRun();
    await rt.store.runs.insert(r);
    await rt.store.runs.update(r.id, { status: 'running' });
    await rt.store.runs.update(r.id, { status: 'succeeded', counts: { ...r.counts, written: 7 } });
    const events = (await log.after(0, 100)).filter((e) => e.id === r.id);
    expect(events.map((e) => e.status)).toEqual(['queued', 'running', 'succeeded']);
    expect(events.map((e) => e.counts.written)).toEqual([0, 0, 7]);
    const cursors = events.map((e) => Number(e.eventCursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
  });

  it("a server's log reads beside a transaction holding the pooled connection (on SQLite: a run's commit)", async () => {
    const beside = new RunEventLog(rt.store.db as Knex, () => rt.store.features.reader());
    const r = aRun();
    await rt.store.runs.insert(r);
    const hold = await holdTransaction(rt.store.db as Knex);
    try {
      // A budget against a hang, not a timing: a read queued behind the transaction never answers.
      const read = Promise.all([beside.latestCursor(), beside.after(0, 100)]);
      const answer = await Promise.race([
        read,
        new Promise<'stalled'>((ok) => setTimeout(() => ok('stalled'), 3_000)),
      ]);
      expect(answer === 'stalled' ? answer : answer[1].map((e) => [e.id, e.status])).toEqual([
        [r.id, 'queued'],
      ]);
      expect(answer !== 'stalled' && answer[0]).toBe(
        Number(answer !== 'stalled' && answer[1][0]!.eventCursor),
      );
    } finally {
      await hold.release();
    }
    // The same events as through the pool, field for field.
    expect(await beside.after(0, 100)).toEqual(await log.after(0, 100));
  });

  it('prunes only events older than the horizon', async () => {
    const r = aRun();
    await rt.store.runs.insert(r);
    await rt.store.db(RUN_EVENTS_TABLE).update({ created_at: 1000 });
    const r2 = aRun();
    await rt.store.runs.insert(r2);
    expect(await log.prune(2000)).toBe(1);
    expect((await log.after(0, 100)).map((e) => e.id)).toEqual([r2.id]);
  });

  it('the sweep prunes events older than TIDEMARK_EVENTS_RETENTION (P7D by default), keeping newer ones', async () => {
    const old = aRun();
    await rt.store.runs.insert(old);
    await rt.store.db(RUN_EVENTS_TABLE).update({ created_at: Date.now() - 8 * 86_400_000 });
    const recent = aRun();
    await rt.store.runs.insert(recent);
    await rt.dispatcher.sweep();
    expect((await log.after(0, 100)).map((e) => e.id)).toEqual([recent.id]);
  });

  it('reads the retention as an ISO 8601 duration and names a bad one', () => {
    expect(parseDuration('X', 'P7D')).toBe(7 * 86_400_000);
    expect(parseDuration('X', 'PT12H')).toBe(12 * 3_600_000);
    expect(parseDuration('X', 'P1DT30M')).toBe(86_400_000 + 1_800_000);
    expect(() => loadConfig({ TIDEMARK_EVENTS_RETENTION: '7 days' })).toThrow(
      /TIDEMARK_EVENTS_RETENTION must be an ISO 8601 duration such as P7D or PT12H, got '7 days'/,
    );
  });

  it.skipIf(testEngine() !== 'postgres')(
    'a later cursor is never visible before an earlier one commits (two concurrent transactions)',
    async () => {
      const db = rt.store.db as Knex;
      const a = aRun();
      const b = aRun();
      await rt.store.runs.insert(a);
      await rt.store.runs.insert(b);
      const start = await log.latestCursor();
      const trxA = await db.transaction();
      await trxA('runs').where({ id: a.id }).update({ status: 'running' }); // draws the lower id, holds the lock
      // B's status change must wait for A's commit rather than commit a higher id first.
      const bDone = db('runs').where({ id: b.id }).update({ status: 'running' });
      let bCommitted = false;
      void bDone.then(() => (bCommitted = true));
      await new Promise((r) => setTimeout(r, 300));
      const seenWhileAOpen = await log.after(start, 100);
      expect(bCommitted).toBe(false);
      expect(seenWhileAOpen).toEqual([]);
      await trxA.commit();
      await bDone;
      const after = await log.after(start, 100);
      expect(after.map((e) => e.id)).toEqual([a.id, b.id]);
    },
  );
});
