/**
 * `tidemark serve` with TIDEMARK_ONLINE_STORE=redis syncs Redis itself: the runs of its
 * sample data reach Redis, and a rollback made afterwards by a `tidemark rollback` in
 * another process is applied by the server's sync (the rolled-back run's entities leave
 * Redis), with the events logged as they go.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createCliHome, REPO, type CliHome } from '../../support/cli';
import { testEngine } from '../../support/engine';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise((ok) => srv.close(ok));
  return port;
}

/** Polls `ok` until it holds; a budget against a hang, not a timing. */
async function until(what: string, ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2400; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe(`tidemark serve syncs the online store (${testEngine()})`, () => {
  let home: CliHome | undefined;
  let serve: ChildProcess | undefined;
  let redis: Redis | undefined;
  let prefix = '';
  afterEach(async () => {
    if (serve && serve.exitCode === null) {
      serve.kill('SIGTERM');
      await new Promise((ok) => serve!.once('exit', ok));
    }
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
    await home?.dispose();
  });

  it("applies the server's own runs and a CLI rollback from another process", async () => {
    home = await createCliHome();
    prefix = `tidemark-test:${randomBytes(6).toString('hex')}:`;
    redis = new Redis('redis://127.0.0.1:6379');
    const env = {
      ...home.env,
      REDIS_URL: 'redis://127.0.0.1:6379',
      TIDEMARK_ONLINE_STORE: 'redis',
      TIDEMARK_EVENTS_PREFIX: prefix,
    };
    const childEnv = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('TIDEMARK_') && k !== 'DATABASE_URL'),
    );
    let log = '';
    serve = spawn(process.execPath, [join(REPO, 'bin', 'tidemark.js'), 'serve', '--samples'], {
      cwd: REPO,
      env: {
        ...childEnv,
        ...env,
        PORT: String(await freePort()),
        TIDEMARK_LOG_LEVEL: 'info',
        TIDEMARK_LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    serve.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const viewKeys = () => redis!.keys(`${prefix}online:v:dev:country_daily:*`);
    await until('the sample runs in Redis', async () => (await viewKeys()).length > 0);
    expect(log).toContain('online store: rebuilding from SQL');

    const runs = await home.cli(['runs', '--contract', 'country_daily', '--json'], { env });
    expect(runs.code, runs.stderr).toBe(0);
    const listed = JSON.parse(runs.stdout) as Array<{ id: string; status: string }>;
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((r) => r.status === 'SUCCEEDED')).toBe(true);
    // Newest first, so no later run reads what an earlier rollback removed.
    for (const run of listed) {
      const rolledBack = await home.cli(['rollback', run.id], { env });
      expect(rolledBack.code, rolledBack.stderr).toBe(0);
    }
    await until('the rollback in Redis', async () => (await viewKeys()).length === 0);
    expect(serve.exitCode).toBeNull();
  }, 240_000);
});
