/**
 * The Python client (clients/python) against a real server with keys required, on this
 * leg's engine: its unittest suite (clients/python/tests) runs under Debian's python3
 * with python3-pandas (.ci/run installs it), PYTHONPATH pointing at the package, so
 * nothing is installed from PyPI. The data here is what the suite's assertions expect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { keyedServer, type KeyedServer } from '../auth/keyed-server';
import { runPython } from '../support/python';

const CASES = `
name: cases
version: 1.0.0
owner: tests
entity: { name: country, key: [country] }
eventTime: date
source: { type: push }
schema:
  - { name: date, type: date, required: true }
  - { name: country, type: string, required: true }
  - { name: confirmed, type: integer }
  - { name: rate, type: number }
  - { name: note, type: string }
  - { name: open, type: boolean }
expectations: []
features:
  - { name: confirmed, column: confirmed }
  - { name: rate, column: rate }
  - { name: note, column: note }
  - { name: open, column: open }
  - { name: reported, column: date }
`;
const WEATHER = `
name: weather
version: 1.0.0
owner: tests
entity: { name: place, key: [iso] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: iso, type: string, required: true }
  - { name: temp, type: number }
  - { name: rate, type: number }
  - { name: seen, type: timestamp }
expectations: []
features:
  - { name: temp, column: temp }
  - { name: rate, column: rate }
  - { name: seen, column: seen }
`;

describe(`Python client against a server (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: KeyedServer;
  const env: Record<string, string> = {};

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [CASES, WEATHER] });
    s = await keyedServer(rt);
    const ingest = async (contract: string, records: unknown[]) => {
      const run = await rt.runs.ingest({ contract, environment: 'dev', records, actor: 'test' });
      expect(run.status).toBe('succeeded');
      rt.clock.advance(60_000);
    };
    await ingest('cases', [
      { date: '2024-05-01', country: 'FRA', confirmed: 10, rate: 0.5, note: 'a, "quoted" note', open: true },
      { date: '2024-05-02', country: 'FRA', confirmed: 30, rate: null, note: null, open: false },
      { date: '2024-05-02', country: 'DEU', confirmed: 7, rate: 0.25, note: null, open: null },
    ]);
    await ingest('weather', [
      { ts: '2024-05-01T12:00:00Z', iso: 'FRA', temp: 14.5, rate: 1, seen: '2024-05-01T11:59:00Z' },
      { ts: '2024-05-04T00:00:00Z', iso: 'DEU', temp: -1, rate: 2, seen: null },
    ]);
    env.TIDEMARK_BEFORE_FIX = new Date(rt.clock.now() - 1).toISOString();
    await ingest('cases', [
      { date: '2024-05-02', country: 'FRA', confirmed: 31, rate: 0.75, note: 'fix', open: true },
    ]);
    env.TIDEMARK_URL = s.base;
    env.TIDEMARK_API_KEY = (await s.key('reader')).secret;
    const revoked = await s.key('reader', 'gone');
    await rt.keys.revoke(revoked.id, 'tests');
    env.TIDEMARK_REVOKED_KEY = revoked.secret;
  });
  afterAll(async () => {
    await s.close();
    await rt.dispose();
  });

  it('passes the unittest suite: dtypes, nulls for unmatched rows, time travel, a refused key', async () => {
    const r = await runPython(
      ['-m', 'unittest', 'discover', '-s', 'clients/python/tests', '-t', 'clients/python', '-v'],
      env,
    );
    expect(r.out, r.out).toMatch(/Ran 7 tests/);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/skipped/);
  }, 120_000);
});
