/**
 * Redis goes away under TIDEMARK_ONLINE_STORE=redis: reads fall back to SQL with one
 * warning and a counted fallback, never an error or stale data, also across a rollback
 * made meanwhile; when Redis comes back empty, the store is rebuilt and serves again.
 * Uses a redis-server of its own on a free port (nothing shared is stopped), and one
 * nothing listens on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger';
import { testEngine } from '../../support/engine';
import { openOnlineRuntime, type OnlineRuntime } from './online-runtime';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise((ok) => srv.close(ok));
  return port;
}

/** Polls `ok` until it holds; a budget against a hang, not a timing. */
async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

function redisServer(port: number): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
}

function capturedLogger() {
  const lines: Array<{ level: string; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: createLogger('warn', sink, 'json'), lines };
}

describe(`online store with Redis down (${testEngine()})`, () => {
  let o: OnlineRuntime | undefined;
  let server: ChildProcess | undefined;
  afterEach(async () => {
    server?.kill('SIGKILL');
    await o?.dispose();
    o = server = undefined;
  });

  it('reads SQL, warns once and counts it; rebuilds when Redis is back', async () => {
    const port = await freePort();
    server = redisServer(port);
    const { logger, lines } = capturedLogger();
    o = await openOnlineRuntime(`redis://127.0.0.1:${port}`, logger);
    const on = o;
    await until('redis-server', async () =>
      on.redis.connect().then(
        () => true,
        () => false,
      ),
    );
    await on.ingest(0, '2024-01-01');
    const runId = await on.ingest(4);
    on.rt.online!.start();
    // A number: a rebuild in progress holds a marker there.
    await until('the first sync', async () => /^\d+$/.test((await on.redis.get(on.keys.cursor)) ?? ''));
    expect(await on.readings()).toEqual([4, 4, 4]);
    expect(await on.count('redis', 'served')).toBeGreaterThan(0);

    server.kill('SIGKILL');
    await new Promise((ok) => server!.once('exit', ok));
    expect(await on.readings()).toEqual([4, 4, 4]);
    await on.rt.runs.rollback(runId, 'test');
    expect(await on.readings()).toEqual([0, 0, 0]);
    expect(await on.readings()).toEqual([0, 0, 0]);
    expect(await on.count('sql', 'unavailable')).toBeGreaterThanOrEqual(3);
    const warned = lines.filter((l) => l.msg === 'online store: Redis unavailable; reading SQL');
    expect(warned).toHaveLength(1);

    // Back, empty (no persistence): rebuilt from SQL, with the rollback in it.
    server = redisServer(port);
    const served = await on.count('redis', 'served');
    await until('the rebuild', async () => {
      expect(await on.readings()).toEqual([0, 0, 0]);
      return (await on.count('redis', 'served')) > served;
    });
  });

  it('a Redis nobody listens on: reads answer from SQL', async () => {
    o = await openOnlineRuntime(`redis://127.0.0.1:${await freePort()}`);
    await o.ingest(2);
    o.rt.online!.start();
    expect(await o.readings()).toEqual([2, 2, 2]);
    expect(await o.count('sql', 'unavailable')).toBe(1);
    expect(await o.count('redis', 'served')).toBe(0);
  });
});
