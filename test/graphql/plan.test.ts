/**
 * The planContract query, with keys required: a reader may plan; the answer carries the
 * typed changes, the text and the whole report; bad input is BAD_USER_INPUT; nothing is
 * written. `contracts plan --url` reads the same answer from the server.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, snapshotTables, type TestRuntime } from '../support/runtime';
import { keyedServer, type KeyedServer } from '../auth/keyed-server';
import { runCli } from '../support/cli';
import { T } from '../../src/store/tables';

const ACTIVE = `
name: meters
version: 1.0.0
owner: tests
entity: { name: meter, key: [meter] }
eventTime: day
source: { type: push }
schema:
  - { name: day, type: date, required: true }
  - { name: meter, type: string, required: true }
  - { name: kwh, type: number }
expectations:
  - { expect: between, column: kwh, min: 0, max: 100, severity: reject }
features:
  - { name: kwh, column: kwh }
  - { name: kwh_7, window: { op: sum, column: kwh, rows: 7 } }
`;
const TIGHTER = ACTIVE.replace('version: 1.0.0', 'version: 2.0.0').replace('max: 100', 'max: 10');

const QUERY = `query($yaml: String!, $runs: Int) {
  planContract(yaml: $yaml, runs: $runs) {
    contract activeVersion proposedVersion runsReplayed rowsDropped proposedMs
    newlyRejected { rule column rows }
    expectations { expectation active proposed }
    features { feature status rowsCompared }
    text report
  }
}`;

describe(`planContract over GraphQL (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: KeyedServer;
  let reader: string;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [ACTIVE] });
    for (let run = 0; run < 2; run++) {
      rt.clock.advance(60_000);
      const records = [1, 2, 3].map((d) => ({
        day: `2024-01-0${run * 3 + d}`,
        meter: 'm1',
        kwh: run * 3 + d * 4,
      }));
      await rt.runs.ingest({ contract: 'meters', environment: 'dev', records, actor: 'test' });
    }
    s = await keyedServer(rt);
    reader = (await s.key('reader')).secret;
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  it('a reader gets the plan: newly rejected rows, changed verdicts, the text; nothing is written', async () => {
    const tables = Object.values(T);
    // The key's first use stamps its last_used_at: the gate's bookkeeping, not the plan's.
    await s.post('{ contracts { name } }', reader);
    const before = await snapshotTables(rt, tables);
    const res = await s.post(QUERY, reader, { yaml: TIGHTER });
    expect(res.body.errors).toBeUndefined();
    const p = res.body.data.planContract;
    expect(p).toMatchObject({
      contract: 'meters',
      activeVersion: '1.0.0',
      proposedVersion: '2.0.0',
      runsReplayed: 2,
    });
    // kwh 4, 8, 12 | 7, 11, 15: three rows above 10 (12, 11, 15).
    expect(p.newlyRejected).toEqual([{ rule: 'between', column: 'kwh', rows: 3 }]);
    expect(p.rowsDropped).toBe(3);
    expect(p.expectations).toHaveLength(2);
    expect(p.expectations[0]).toMatchObject({ expectation: 'between(kwh)', active: { unexpectedCount: 0 } });
    expect(p.text).toMatch(/\+ 3 row\(s\) newly rejected by between on kwh/);
    expect(p.report.runs).toHaveLength(2);
    expect(await snapshotTables(rt, tables)).toEqual(before);
  });

  it('refuses more than 50 runs, invalid YAML (with its line) and an oversized contract as BAD_USER_INPUT', async () => {
    const many = await s.post(QUERY, reader, { yaml: TIGHTER, runs: 51 });
    expect(many.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(many.body.errors[0].message).toMatch(/from 1 to 50/);
    const bad = await s.post(QUERY, reader, { yaml: 'name: meters\n  version: 2.0.0\n' });
    expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(bad.body.errors[0].extensions.issues[0].line).toBe(2);
    // The contract size bounds hold as for applyContract: checked before the YAML is read.
    const big = await s.post(QUERY, reader, { yaml: TIGHTER + `# ${'x'.repeat(262_144)}\n` });
    expect(big.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(big.body.errors[0].message).toMatch(/the limit is 262144 bytes/);
  });

  it("contracts plan --url prints the server's plan", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-plan-'));
    try {
      const file = join(dir, 'meters.yaml');
      writeFileSync(file, TIGHTER);
      const res = await runCli(['contracts', 'plan', file, '--url', s.base, '--key', reader], {});
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/^plan {2}meters@2\.0\.0 against 1\.0\.0 \(active\) in dev/);
      expect(res.stdout).toMatch(/\+ 3 row\(s\) newly rejected by between on kwh/);
      const refused = await runCli(['contracts', 'plan', file, '--url', s.base, '--key', 'tmk_nope'], {});
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^error: 127\.0\.0\.1:\d+ answered UNAUTHENTICATED/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
