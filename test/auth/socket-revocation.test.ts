/**
 * Issue 14.1: a WebSocket authenticates once, on connect. Revoking its key (or changing
 * its role) must close the socket within the re-check interval, whichever process did
 * the revoking (the database is what is re-read), and every operation on the socket
 * re-checks the key first, so a revoked admin key cannot mutate over its open socket.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T } from '../../src/store/tables';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { collect } from '../support/graphql';
import { keyedServer, operate, PUSH_CONTRACT, type KeyedServer } from './keyed-server';

const INGEST = 'mutation($r: [JSON!]!) { ingest(contract: "pings", records: $r) { id status } }';
const records = (n: number) => [{ ts: '2024-01-01T00:00:00Z', device: 'd1', n }];

describe(`live sockets follow their key (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: KeyedServer | null = null;

  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [PUSH_CONTRACT] });
  });
  afterEach(async () => {
    await s?.close();
    s = null;
    await rt.dispose();
  });

  it('closes a revoked key’s socket with 4403; its subscription receives nothing after', async () => {
    s = await keyedServer(rt, { keyRecheckMs: 100 });
    const reader = await s.key('reader');
    const admin = await s.key('admin');
    const sock = await s.socket(reader.secret);
    const events = collect<{ runStatusChanged: { id: string; status: string } }>(
      sock.client,
      'subscription { runStatusChanged(contract: "pings") { id status } }',
    );
    // Subscribed once an event arrives: ingest until one does.
    const first = await s.post(INGEST, admin.secret, { r: records(1) });
    expect(first.body.errors).toBeUndefined();
    await events.until((e) => e.some((x) => x.runStatusChanged.status === 'SUCCEEDED'));

    await rt.keys.revoke(reader.id, 'tests');
    const closed = await sock.closed;
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/revoked/);
    const seen = events.events.length;
    expect((await s.post(INGEST, admin.secret, { r: records(2) })).body.errors).toBeUndefined();
    expect(events.events.length).toBe(seen);
    // The revoked key is refused over HTTP too, at once.
    expect((await s.post('{ runs { totalCount } }', reader.secret)).status).toBe(401);
  });

  it('closes the key’s sockets on every instance sharing the database', async () => {
    s = await keyedServer(rt, { keyRecheckMs: 100 });
    const other = await keyedServer(rt, { keyRecheckMs: 100 });
    try {
      const reader = await s.key('reader');
      const [here, there] = [await s.socket(reader.secret), await other.socket(reader.secret)];
      // Revoked as the CLI does it: in the database, by neither server.
      await rt.keys.revoke(reader.id, 'tests');
      expect((await here.closed).code).toBe(4403);
      expect((await there.closed).code).toBe(4403);
    } finally {
      await other.close();
    }
  });

  it('re-reads the key before every mutation: a revoked admin key cannot ingest over its open socket', async () => {
    // No sweep and no expiry of a reading within the test: only the mutation's own check can refuse.
    s = await keyedServer(rt, { keyRecheckMs: 600_000 });
    const admin = await s.key('admin');
    const sock = await s.socket(admin.secret);
    expect((await operate(sock.client, '{ runs { totalCount } }')).errors).toBeUndefined();
    const before = await operate(sock.client, INGEST, { r: records(1) });
    expect(before.errors).toBeUndefined();
    expect(before.data.ingest.status).toBe('SUCCEEDED');
    const runs = async () => Number((await rt.store.db(T.runs).count({ n: '*' }))[0]!.n);
    const count = await runs();

    await rt.keys.revoke(admin.id, 'tests');
    const after = await operate(sock.client, INGEST, { r: records(2) });
    expect(after.errors).toEqual([
      { message: 'the API key was revoked', extensions: { code: 'UNAUTHENTICATED' } },
    ]);
    expect(await runs()).toBe(count);
    const closed = await sock.closed;
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/revoked/);
  });

  it('re-reads the key before a query or subscription once its last reading is older than the maximum age', async () => {
    s = await keyedServer(rt, { keyRecheckMs: 600_000, keyMaxAgeMs: 0 });
    const reader = await s.key('reader');
    const sock = await s.socket(reader.secret);
    expect((await operate(sock.client, '{ runs { totalCount } }')).errors).toBeUndefined();
    await rt.keys.revoke(reader.id, 'tests');
    const after = await operate(sock.client, 'subscription { runStatusChanged { id } }');
    expect(after.errors).toEqual([
      { message: 'the API key was revoked', extensions: { code: 'UNAUTHENTICATED' } },
    ]);
    expect((await sock.closed).code).toBe(4403);
  });

  it('closes the socket when the key’s role changes, so the caller reconnects with its new role', async () => {
    s = await keyedServer(rt, { keyRecheckMs: 100 });
    const admin = await s.key('admin');
    const sock = await s.socket(admin.secret);
    await rt.store.db(T.apiKeys).where({ id: admin.id }).update({ role: 'reader' });
    const closed = await sock.closed;
    expect(closed.code).toBe(4403);
    expect(closed.reason).toMatch(/role changed to reader/);
    // Reconnected, it is a reader.
    const again = await s.socket(admin.secret);
    const refused = await operate(again.client, INGEST, { r: records(1) });
    expect(JSON.stringify(refused.errors)).toMatch(/FORBIDDEN|needs writer/);
  });
});
