/**
 * Durable run events (SQLite: the server and a `tidemark run` in another process share
 * one database file). A run made by the CLI reaches the server's subscriber, and a
 * subscriber that went away during three runs and resumes with its cursor gets every
 * missed event, in order, without duplicates.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { openRuntime, type Runtime } from '../../src/runtime';
import { loadContractFiles } from '../../src/contracts/load';
import { silentLogger } from '../../src/observability/logger';
import { startServer, type TestServer } from '../support/graphql';
import type { TestRuntime } from '../support/runtime';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const Q = `subscription($after: String) {
  runStatusChanged(contract: "country_daily", after: $after) { id status eventCursor rowsWritten }
}`;
interface Ev {
  runStatusChanged: { id: string; status: string; eventCursor: string; rowsWritten: number };
}

describe.skipIf(process.env.TIDEMARK_TEST_ENGINE === 'postgres')(
  'durable run events (sqlite, CLI process)',
  () => {
    let dataDir: string;
    let rt: Runtime;
    let s: TestServer;
    // The child gets none of the runner's own TIDEMARK_* variables (TIDEMARK_TEST_ENGINE is
    // one): the CLI refuses configuration names it does not know.
    const inherited = () =>
      Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TIDEMARK_')));
    const env = () => ({ ...inherited(), TIDEMARK_DATA_DIR: dataDir, TIDEMARK_LOG_LEVEL: 'silent' });
    const cliRun = () =>
      run('node', ['bin/tidemark.js', 'run', 'country_daily', '--force'], { cwd: ROOT, env: env() });

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'tidemark-events-'));
      const config = loadConfig({ TIDEMARK_DATA_DIR: dataDir, TIDEMARK_LOG_LEVEL: 'silent' });
      cpSync(join(ROOT, 'seeds/data/country_daily'), join(config.landingDir, 'country_daily'), {
        recursive: true,
      });
      rt = await openRuntime(config, { logger: silentLogger(), sweepMs: 0 });
      await rt.contracts.apply(await loadContractFiles([join(ROOT, 'contracts')]), 'system:test');
      s = await startServer(rt as TestRuntime);
    }, 60_000);
    afterAll(async () => {
      await s?.close();
      await rt?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('a run made by `tidemark run` in another process reaches the server subscriber', async () => {
      // A fresh store: after "0" is everything from the start, whether it arrives by replay or live.
      const sub = await s.subscribe<Ev>(Q, { after: '0' });
      await cliRun();
      const events = await sub.until((es) => es.some((e) => e.runStatusChanged.status === 'SUCCEEDED'));
      const statuses = events.map((e) => e.runStatusChanged.status);
      expect(statuses).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
      const cursors = events.map((e) => Number(e.runStatusChanged.eventCursor));
      expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    }, 60_000);

    it('a subscriber resuming with its cursor gets the three runs it missed, in order, once each', async () => {
      const first = await s.subscribe<Ev>(Q, { after: '0' });
      const seen = await first.until((es) => es.some((e) => e.runStatusChanged.status === 'SUCCEEDED'));
      const cursor = seen.at(-1)!.runStatusChanged.eventCursor;
      first.unsubscribe();
      for (let i = 0; i < 3; i++) await cliRun();
      const resumed = await s.subscribe<Ev>(Q, { after: cursor });
      const events = await resumed.until(
        (es) => es.filter((e) => e.runStatusChanged.status === 'SUCCEEDED').length >= 3,
      );
      const all = resumed.events;
      const cursors = all.map((e) => Number(e.runStatusChanged.eventCursor));
      expect(cursors.every((c) => c > Number(cursor))).toBe(true);
      expect(cursors).toEqual([...new Set(cursors)].sort((a, b) => a - b));
      expect(all.map((e) => e.runStatusChanged.status)).toEqual(
        Array(3).fill(['QUEUED', 'RUNNING', 'SUCCEEDED']).flat(),
      );
      expect(new Set(events.map((e) => e.runStatusChanged.id)).size).toBe(3);
    }, 120_000);

    it("the server's /metrics counts a run made by `tidemark run` in another process, once", async () => {
      const succeeded = async (): Promise<number> => {
        const res = await request(s.server.httpServer).get('/metrics');
        expect(res.status).toBe(200);
        const line = res.text
          .split('\n')
          .find(
            (l) =>
              l.startsWith('tidemark_runs_total{') &&
              l.includes('contract="country_daily"') &&
              l.includes('status="succeeded"') &&
              l.includes('trigger="manual"'),
          );
        return line ? Number(line.split(' ').at(-1)) : 0;
      };
      // Every manual run of this store so far was made after the server started (the other
      // tests' and this one's): the counter must equal the store's count, each counted once.
      const stored = async (): Promise<number> => {
        const d = await s.ok<{ runs: { totalCount: number } }>(
          '{ runs(contract: "country_daily", trigger: "manual", status: SUCCEEDED) { totalCount } }',
        );
        return d.runs.totalCount;
      };
      await cliRun();
      const want = await stored();
      expect(want).toBeGreaterThan(0);
      const deadline = Date.now() + 20_000;
      while ((await succeeded()) < want && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(await succeeded()).toBe(want);
      // The reader has seen every event of those runs by now: nothing more arrives to count one twice.
      await new Promise((r) => setTimeout(r, 600));
      expect(await succeeded()).toBe(want);
    }, 60_000);
  },
);
