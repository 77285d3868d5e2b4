/**
 * /healthz while a run holds the database: on SQLite a run's write transaction keeps
 * the one pooled connection for seconds, and a health check queued behind it made
 * probes time out (issue 15: 7–8 s during a 1M-row ingest). It reads where the online
 * reads read (their own connection), so it answers while the writer is busy.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type TidemarkServer } from '../../src/server';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import type { Knex } from 'knex';
import { holdTransaction } from '../support/hold-transaction';

/** A budget against a hang, not a timing: a health check queued behind the writer never answers. */
const HANG_MS = 3_000;

describe(`/healthz beside a long write transaction (${testEngine()})`, () => {
  let rt: TestRuntime;
  let server: TidemarkServer;
  let base: string;
  beforeEach(async () => {
    rt = await createTestRuntime();
    server = await createServer(rt, { authMode: 'loopback-anonymous' });
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterEach(async () => {
    await server.stop();
    await rt.dispose();
  });

  it('answers 200 while a transaction holds a connection, and still after it', async () => {
    const hold = await holdTransaction(rt.store.db as Knex);
    try {
      const answer = await Promise.race([
        fetch(`${base}/healthz`).then(async (r) => ({ status: r.status, body: await r.json() })),
        new Promise<'stalled'>((r) => setTimeout(() => r('stalled'), HANG_MS)),
      ]);
      expect(answer).toEqual({ status: 200, body: { status: 'ok' } });
    } finally {
      await hold.release();
    }
    const after = await fetch(`${base}/healthz`);
    expect(after.status).toBe(200);
  });
});
