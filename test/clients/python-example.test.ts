/**
 * The worked examples of docs/python.md run as written, by python3, against a real
 * `tidemark serve` process with keys required (support/served.ts) holding the example
 * contracts' sample data: country_daily's files (run by the server) and
 * card_transactions' sample (pushed over the API), on this leg's engine. Each must
 * succeed and print what the page shows, line for line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { REPO } from '../support/cli';
import { runPython } from '../support/python';
import { cardSample, startServed, type Served } from './support/served';

describe(`docs/examples against tidemark serve (${testEngine()})`, () => {
  let s: Served;
  let env: Record<string, string>;

  beforeAll(async () => {
    s = await startServed();
    await s.countryDailyRun();
    await s.ingest('card_transactions', cardSample());
    env = { TIDEMARK_URL: s.base, TIDEMARK_API_KEY: s.reader };
  }, 300_000);
  afterAll(async () => {
    await s?.close();
  });

  /** Runs the example; every line it prints must be on the page. */
  async function example(file: string): Promise<string> {
    const r = await runPython([join('docs', 'examples', file)], env);
    expect(r.code, r.out).toBe(0);
    if (process.env.PRINT_EXAMPLE) console.log(r.out);
    const page = readFileSync(join(REPO, 'docs', 'python.md'), 'utf8');
    for (const line of r.out.trim().split('\n')) expect(page).toContain(line.trimEnd());
    return r.out;
  }

  it('training_set.py builds the training set and prints its shape, dtypes and rows', async () => {
    const out = await example('training_set.py');
    expect(out).toContain('rows: 130  countries: 10  weeks: 13');
    expect(out).toMatch(/confirmed\s+Int64/);
    expect(out).toMatch(/fatality\s+float64/);
    expect(out).toMatch(/timestamp\s+datetime64\[ns, UTC\]/);
    expect(out).toMatch(/label\s+boolean/);
  }, 120_000);

  it('train_model.py joins two example contracts point in time and scores a model on them', async () => {
    const out = await example('train_model.py');
    expect(out).toContain('rows: 600  cards: 40  large: 195');
    expect(out).toMatch(/amount_max_7d\s+float64/);
    expect(out).toMatch(/txn_count_24h\s+Int64/);
    expect(out).toMatch(/new_cases_7d\s+Int64/);
    // Each card's first payment has no history before it: nulls, not zeros.
    expect(out).toContain('rows without card history: 40');
    const honest = Number(/accuracy on the last 200: ([\d.]+)/.exec(out)?.[1]);
    const leaky = Number(/leaky .*accuracy: ([\d.]+)/.exec(out)?.[1]);
    // Point in time, the random sample has nothing to learn; the leaky join "learns" the label.
    expect(honest).toBeLessThan(0.8);
    expect(leaky).toBeGreaterThan(0.95);
  }, 120_000);
});
