/**
 * applyContract holds contracts to the size bounds of src/contracts/limits.ts: over a
 * bound it answers BAD_USER_INPUT naming the list, its count, the limit and why, and
 * registers nothing; at every bound the contract registers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { expectError, startServer, type TestServer } from '../support/graphql';
import { MAX_SIZE, sizedContract } from '../fixtures/contracts/sized';
import { positionOf } from '../fixtures/contracts/samples';

const APPLY = `mutation($y: String!) { applyContract(yaml: $y) { status } }`;
const CONTRACTS = `{ contracts { name } }`;

describe(`contract size bounds on applyContract (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [] });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  it('refuses a contract over a bound at the list, and registers nothing', async () => {
    const yaml = sizedContract('wide', { ...MAX_SIZE, expectations: 501 });
    const err = expectError(await s.gql(APPLY, { y: yaml }), 'BAD_USER_INPUT');
    const at = positionOf(yaml, 'expectations:');
    expect(err.message).toBe(
      `applyContract.yaml:${at.line}:${at.column} /expectations: 501 expectations; the limit is 500 ` +
        "(every expectation is checked against every row, so a run's time and memory grow with expectations × rows)",
    );
    const big = sizedContract('wide', MAX_SIZE) + `description: "${'x'.repeat(300_000)}"\n`;
    expect(expectError(await s.gql(APPLY, { y: big }), 'BAD_USER_INPUT').message).toMatch(
      /^applyContract\.yaml \/: contract file is \d+ bytes; the limit is 262144 bytes \(256 KiB\)$/,
    );
    expect((await s.ok(CONTRACTS)).contracts).toEqual([]);
  });

  it('registers a contract at every bound', async () => {
    const r = await s.ok(APPLY, { y: sizedContract('wide', MAX_SIZE) });
    expect(r.applyContract.status).toBe('registered');
    expect((await s.ok(CONTRACTS)).contracts).toEqual([{ name: 'wide' }]);
  });
});
