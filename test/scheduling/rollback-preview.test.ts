/**
 * rollbackPreview: what a rollback would change, asked before it is done. It names
 * the same later runs the rollback's reaction then reprocesses (window features,
 * policy.onRollback), the rows it hides, and refuses in the rollback's own words.
 * Asking changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/run';
import { rollbackPreview } from '../../src/scheduling/rollback-preview';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { day } from '../support/managed';

const contract = (name: string, features: string, policy = '') => `
name: ${name}
version: 1.0.0
owner: tests
entity: { name: sensor, key: [sensor] }
eventTime: day
source: { type: push }
schema:
  - { name: day, type: date, required: true }
  - { name: sensor, type: string, required: true }
  - { name: reading, type: integer }
expectations: []
features:
  - { name: reading, column: reading }
${features}
${policy}
`;
const WINDOWS = `  - { name: change, window: { op: diff, column: reading } }`;

describe(`rollbackPreview (${testEngine()})`, () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await createTestRuntime({
      contracts: [
        contract('sensor', WINDOWS),
        contract('plain', "  - { name: doubled, expr: 'reading * 2' }"),
        contract('quiet', WINDOWS, 'policy: { onRollback: none }'),
      ],
    });
  });
  afterEach(() => rt.dispose());

  async function series(name: string, days: number): Promise<Run[]> {
    const runs = [];
    for (let d = 1; d <= days; d++) {
      rt.clock.advance(60_000);
      const records = [
        { day: day(d), sensor: 'S', reading: d * 10 },
        { day: day(d), sensor: 'T', reading: d },
      ];
      runs.push(await rt.runs.ingest({ contract: name, environment: 'dev', records, actor: 'test' }));
    }
    return runs;
  }

  it('names the later runs the rollback then reprocesses, and the rows it hides', async () => {
    const [, b, c, d] = await series('sensor', 4);
    const preview = await rollbackPreview(rt.store, b!);
    expect(preview).toMatchObject({ allowed: true, refusal: null, rowsHidden: 2 });
    expect(preview.reprocessed.map((r) => r.id)).toEqual([c!.id, d!.id]);
    // Asking changed nothing.
    expect((await rt.store.runs.get(b!.id))?.status).toBe('succeeded');

    rt.clock.advance(60_000);
    const outcome = await rt.runs.rollbackAndReprocess(b!.id, 'carol', true);
    expect(outcome.dependents.map((r) => r.parentRunId)).toEqual([c!.id, d!.id]);

    const after = await rollbackPreview(rt.store, (await rt.store.runs.get(b!.id))!);
    expect(after).toMatchObject({ allowed: false, rowsHidden: 0, reprocessed: [] });
    expect(after.refusal).toMatch(new RegExp(`run ${b!.id} is rolled_back already`));
  });

  it('names no later run where no window reads the rows, or the policy says none', async () => {
    for (const name of ['plain', 'quiet']) {
      const [a] = await series(name, 3);
      expect(await rollbackPreview(rt.store, a!)).toEqual({
        allowed: true,
        refusal: null,
        rowsHidden: 2,
        reprocessed: [],
      });
    }
  });
});
