/**
 * The worked example of docs/python.md (docs/examples/training_set.py) run as written
 * against a real server holding the example contract country_daily and its sample
 * files, on this leg's engine: it must succeed and print what the page shows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { keyedServer, type KeyedServer } from '../auth/keyed-server';
import { REPO } from '../support/cli';
import { runPython } from '../support/python';

describe(`docs/examples/training_set.py (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: KeyedServer;

  beforeAll(async () => {
    rt = await createTestRuntime({
      contracts: [readFileSync(join(REPO, 'contracts', 'country_daily.yaml'), 'utf8')],
    });
    for (const f of ['2020-q1.csv', '2020-q2.csv'])
      await rt.land(`country_daily/${f}`, readFileSync(join(REPO, 'seeds', 'data', 'country_daily', f)));
    const run = await rt.runs.trigger({ contract: 'country_daily', environment: 'dev', actor: 'test' });
    expect(run.status).toBe('succeeded');
    s = await keyedServer(rt);
  });
  afterAll(async () => {
    await s.close();
    await rt.dispose();
  });

  it('builds the training set and prints its shape, dtypes and rows', async () => {
    const key = (await s.key('reader')).secret;
    const r = await runPython([join('docs', 'examples', 'training_set.py')], {
      TIDEMARK_URL: s.base,
      TIDEMARK_API_KEY: key,
    });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('rows: 130  countries: 10  weeks: 13');
    expect(r.out).toMatch(/confirmed\s+Int64/);
    expect(r.out).toMatch(/fatality\s+float64/);
    expect(r.out).toMatch(/timestamp\s+datetime64\[ns, UTC\]/);
    expect(r.out).toMatch(/label\s+boolean/);
    if (process.env.PRINT_EXAMPLE) console.log(r.out);
    // The page shows this output (docs/python.md); it must stay true.
    const page = readFileSync(join(REPO, 'docs', 'python.md'), 'utf8');
    for (const line of r.out.trim().split('\n')) expect(page).toContain(line.trimEnd());
  }, 120_000);
});
