/**
 * An optional argument passed as an explicit null (a GraphQL variable left unset, as
 * every client sends it) means "not given", never INTERNAL: `contract(version: null)`,
 * `features(version: null)` and `trainingSet(version: null)` once crashed on it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { startServer, type TestServer } from '../support/graphql';

const ITEMS = `
name: items
version: 1.0.0
owner: tests
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
  - { name: price, type: number }
expectations: []
features:
  - { name: price, column: price }
`;

describe(`optional arguments as null (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [ITEMS] });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  it('reads the default version when version is null', async () => {
    const data = await s.ok(
      `query($v: String) {
        contract(name: "items", version: $v) { version }
        features(contract: "items", entities: ["apple"], version: $v) { values }
        trainingSet(contract: "items", version: $v, rows: [{ entity: "apple", timestamp: "2024-01-01" }]) { values }
      }`,
      { v: null },
    );
    expect(data).toEqual({
      contract: { version: '1.0.0' },
      features: [{ values: null }],
      trainingSet: [{ values: null }],
    });
  });
});
