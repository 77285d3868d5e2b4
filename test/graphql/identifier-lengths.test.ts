/**
 * Over-long identifiers are refused with a message naming what and the limit, never
 * INTERNAL: a 5,000-character version once reached semver, which throws past 256.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { expectError, startServer, type TestServer } from '../support/graphql';

const ITEMS = (version: string) => `
name: items
version: ${version}
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

const APPLY = `mutation($y: String!) { applyContract(yaml: $y) { status } }`;
const FEATURES = `query($c: String!, $v: String, $f: [String!]) {
  features(contract: $c, version: $v, entities: ["apple"], features: $f) { values }
}`;
const TRAINING = `query($f: [String!]) {
  trainingSet(contract: "items", rows: [{ entity: "apple", timestamp: "2024-01-01T00:00:00Z" }], features: $f) { values }
}`;

describe(`identifier lengths (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [ITEMS('1.0.0')] });
    s = await startServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  const long = (n: number) => '1.0.0-' + 'a'.repeat(n - 6);

  it('refuses a contract whose version is over 64 characters, at the version', async () => {
    const err = expectError(await s.gql(APPLY, { y: ITEMS(long(5_000)) }), 'BAD_USER_INPUT');
    expect(err.message).toBe('applyContract.yaml:3:10 /version: must have at most 64 characters');
    // At the limit it is a version like any other.
    expect((await s.ok(APPLY, { y: ITEMS(long(64)) })).applyContract.status).toBe('registered');
  });

  it('refuses over-long names and versions in reads and mutations', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [
        FEATURES,
        { c: 'items', v: long(5_000) },
        "version '1.0.0-aaaaaaaaaaaaaa…' is 5000 characters; the limit is 64",
      ],
      [
        FEATURES,
        { c: 'x'.repeat(5_000) },
        "contract name 'xxxxxxxxxxxxxxxxxxxx…' is 5000 characters; the limit is 63",
      ],
      [
        FEATURES,
        { c: 'items', f: ['p'.repeat(100)] },
        "feature name 'pppppppppppppppppppp…' is 100 characters; the limit is 63",
      ],
      [
        TRAINING,
        { f: ['p'.repeat(100)] },
        "feature name 'pppppppppppppppppppp…' is 100 characters; the limit is 63",
      ],
      [
        `mutation { promoteContract(name: "items", version: "${long(300)}", to: "test") { version } }`,
        {},
        "version '1.0.0-aaaaaaaaaaaaaa…' is 300 characters; the limit is 64",
      ],
    ];
    for (const [query, vars, message] of cases) {
      const err = expectError(await s.gql(query, vars), 'BAD_USER_INPUT');
      expect(err.message).toBe(message);
    }
  });
});
