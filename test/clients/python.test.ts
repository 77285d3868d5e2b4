/**
 * The Python client (clients/python) against a real `tidemark serve` process with keys
 * required (test/clients/support/served.ts: keys made with `tidemark keys create`), on
 * this leg's engine: its unittest suite (clients/python/tests) runs under Debian's
 * python3 with python3-pandas (.ci/run installs it), PYTHONPATH pointing at the
 * package, so nothing is installed from PyPI. The data, put in through the HTTP API,
 * is what the suite's assertions expect: the test contracts below, and the example
 * contracts country_daily (its sample files) and card_transactions (its sample, then a
 * correction that is rolled back).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { runPython } from '../support/python';
import { cardSample, startServed, type Served } from './support/served';

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

describe(`Python client against tidemark serve (${testEngine()})`, () => {
  let s: Served;
  const env: Record<string, string> = {};
  const pause = () => new Promise((r) => setTimeout(r, 20));

  beforeAll(async () => {
    s = await startServed({ cases: CASES, weather: WEATHER });
    await s.ingest('cases', [
      { date: '2024-05-01', country: 'FRA', confirmed: 10, rate: 0.5, note: 'a, "quoted" note', open: true },
      { date: '2024-05-02', country: 'FRA', confirmed: 30, rate: null, note: null, open: false },
      { date: '2024-05-02', country: 'DEU', confirmed: 7, rate: 0.25, note: null, open: null },
    ]);
    await s.ingest('weather', [
      { ts: '2024-05-01T12:00:00Z', iso: 'FRA', temp: 14.5, rate: 1, seen: '2024-05-01T11:59:00Z' },
      { ts: '2024-05-04T00:00:00Z', iso: 'DEU', temp: -1, rate: 2, seen: null },
    ]);
    await pause();
    env.TIDEMARK_BEFORE_FIX = new Date().toISOString();
    await pause();
    await s.ingest('cases', [
      { date: '2024-05-02', country: 'FRA', confirmed: 31, rate: 0.75, note: 'fix', open: true },
    ]);
    // The example contracts: country_daily from its sample files (run by the server's arrival watcher), card_transactions from
    // its sample, then a correction of its first transaction that is rolled back.
    await s.countryDailyRun();
    const cards = cardSample();
    await s.ingest('card_transactions', cards);
    await pause();
    env.TIDEMARK_BEFORE_CORRECTION = new Date().toISOString();
    await pause();
    const fix = await s.ingest('card_transactions', [{ ...cards[0], amount: 99.99 }]);
    await pause();
    env.TIDEMARK_BEFORE_ROLLBACK = new Date().toISOString();
    await pause();
    await s.gql('mutation($id: ID!) { rollbackRun(id: $id) { id } }', { id: fix });
    env.TIDEMARK_CORRECTION_RUN = fix;
    env.TIDEMARK_URL = s.base;
    env.TIDEMARK_API_KEY = s.reader;
    const revoked = await s.key('reader', 'gone');
    const r = await s.home.cli(['keys', 'revoke', revoked.id]);
    expect(r.code, r.stderr).toBe(0);
    env.TIDEMARK_REVOKED_KEY = revoked.secret;
  }, 300_000);
  afterAll(async () => {
    await s?.close();
  });

  it('passes the unittest suite: dtypes, nulls for unmatched rows, time travel, a refused key', async () => {
    const r = await runPython(
      ['-m', 'unittest', 'discover', '-s', 'clients/python/tests', '-t', 'clients/python', '-v'],
      env,
    );
    expect(r.out, r.out).toMatch(/Ran 15 tests/);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/skipped/);
    if (process.env.PRINT_PYTHON) console.log(r.out);
  }, 180_000);
});
