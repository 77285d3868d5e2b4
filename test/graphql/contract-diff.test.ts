/**
 * contractDiff(name, from, to): two registered versions compared by the same rules
 * `applyContract` checks a new version with, each change with its rule and class, and
 * the bump it needs. The console's contract page shows it side by side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { expectError, startServer, type TestServer } from '../support/graphql';

function prices(version: string, columns: string, description = 'Item prices.'): string {
  return `
name: prices
version: ${version}
owner: tests
description: ${description}
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
${columns}
expectations: []
features:
  - { name: item_name, column: item }
`;
}

const V1 = prices('1.0.0', '  - { name: price, type: number }\n  - { name: note, type: string }');
// note removed: breaking; needs 2.0.0.
const V2 = prices('2.0.0', '  - { name: price, type: number }');
// A description only: cosmetic.
const V2_0_1 = prices('2.0.1', '  - { name: price, type: number }', 'Item prices, in cents.');

const DIFF = `query($from: String!, $to: String!) {
  contractDiff(name: "prices", from: $from, to: $to) {
    name from { version yaml } to { version }
    requiredBump actualBump bumpOk verdict
    changes { rule class path message before after }
  }
}`;

describe(`contractDiff (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [V1] });
    s = await startServer(rt);
    for (const y of [V2, V2_0_1])
      await s.ok(`mutation($y: String!) { applyContract(yaml: $y) { status } }`, { y });
  });
  afterAll(async () => {
    await s?.close();
    await rt?.dispose();
  });

  it('reports a removed column as breaking, needing a major bump, which 2.0.0 makes', async () => {
    const d = (await s.ok(DIFF, { from: '1.0.0', to: '2.0.0' })).contractDiff;
    expect(d).toMatchObject({
      name: 'prices',
      from: { version: '1.0.0' },
      to: { version: '2.0.0' },
      requiredBump: 'major',
      actualBump: 'major',
      bumpOk: true,
    });
    expect(d.from.yaml).toContain('name: note');
    expect(d.changes).toEqual([
      {
        rule: 'column.removed',
        class: 'breaking',
        path: '/schema/note',
        message: expect.stringContaining('note'),
        before: { name: 'note', type: 'string' },
        after: null,
      },
    ]);
  });

  it('compares any two versions, not only neighbours, and says when the bump is short', async () => {
    const skip = (await s.ok(DIFF, { from: '1.0.0', to: '2.0.1' })).contractDiff;
    expect(skip.changes.map((c: { rule: string }) => c.rule).sort()).toEqual([
      'column.removed',
      'contract.description_changed',
    ]);
    expect(skip.requiredBump).toBe('major');

    const cosmetic = (await s.ok(DIFF, { from: '2.0.0', to: '2.0.1' })).contractDiff;
    expect(cosmetic).toMatchObject({ requiredBump: 'patch', actualBump: 'patch', bumpOk: true });
    expect(cosmetic.changes.map((c: { class: string }) => c.class)).toEqual(['cosmetic']);

    // Backwards reads as a downgrade, with the changes as seen from the newer version.
    const back = (await s.ok(DIFF, { from: '2.0.0', to: '1.0.0' })).contractDiff;
    expect(back).toMatchObject({ actualBump: 'downgrade', bumpOk: false });
    expect(back.verdict).toMatch(/goes backwards/);

    const same = (await s.ok(DIFF, { from: '2.0.0', to: '2.0.0' })).contractDiff;
    expect(same).toMatchObject({ changes: [], requiredBump: 'none', bumpOk: true });
  });

  it('names the version that is not registered', async () => {
    expectError(
      await s.gql(DIFF, { from: '1.0.0', to: '9.9.9' }),
      'NOT_FOUND',
      /contract prices@9\.9\.9 is not registered/,
    );
  });
});
