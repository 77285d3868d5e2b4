/**
 * Every per-entity check and window that carries state across runs gives the same
 * answer however the data is split into runs (issue 13.16): a property test over
 * random series with nulls and random splits, on a real store. The whole series goes
 * to one contract in one run, the same series split into runs to a twin contract; the
 * two share nothing in the store, so their reports and rows must agree.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/domain/run';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';

function contract(name: string, severity: 'warn' | 'reject'): string {
  return `
name: ${name}
version: 1.0.0
owner: tests
entity: { name: sensor, key: [sensor] }
eventTime: day
source: { type: push }
schema:
  - { name: day, type: date, required: true }
  - { name: sensor, type: string, required: true }
  - { name: total, type: integer }
expectations:
  - { expect: non_decreasing, column: total, severity: ${severity} }
  - { expect: increasing, column: total, severity: warn }
features:
  - { name: total, column: total }
  - { name: change, window: { op: diff, column: total } }
  - { name: since_known, window: { op: diff, column: total, skipNulls: true } }
  - { name: second_known, window: { op: lag, column: total, offset: 2, skipNulls: true } }
  - { name: sum_3, window: { op: sum, column: total, rows: 3 } }
  - { name: count_2d, window: { op: count, column: total, duration: P2D } }
policy: { onRollback: none }
`;
}

const day = (d: number) => new Date(Date.UTC(2024, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);

/** Two sensors' series (nulls included, decreases likely) and the days after which a run ends. */
const arbCase = fc.record({
  a: fc.array(fc.option(fc.integer({ min: 0, max: 12 }), { freq: 3 }), { minLength: 1, maxLength: 8 }),
  b: fc.array(fc.option(fc.integer({ min: 0, max: 12 }), { freq: 3 }), { minLength: 0, maxLength: 8 }),
  cuts: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { maxLength: 4 }),
});

describe(`checks and windows do not depend on how data is split into runs (${testEngine()})`, () => {
  let rt: TestRuntime;
  let example = 0;
  beforeAll(async () => {
    const twins = ['whole_w', 'split_w', 'whole_r', 'split_r'];
    rt = await createTestRuntime({
      contracts: twins.map((n) => contract(n, n.endsWith('_r') ? 'reject' : 'warn')),
    });
  });
  afterAll(() => rt.dispose());

  const ingest = (name: string, records: unknown[]) =>
    rt.runs.ingest({ contract: name, environment: 'dev', records, actor: 'test' });

  /** Unexpected counts per check, rows rejected, and every stored row, over a set of runs. */
  async function outcome(runs: Run[]) {
    const unexpected: Record<string, number> = {};
    let rejected = 0;
    const rows: Record<string, unknown> = {};
    for (const r of runs) {
      expect(r.status).toBe('succeeded');
      rejected += r.counts.rejected;
      for (const res of r.validation!.results) {
        const k = `${res.expect}(${res.column ?? ''})`;
        unexpected[k] = (unexpected[k] ?? 0) + res.unexpectedCount;
      }
      for (const f of await rt.store.features.forRun(r.id)) rows[`${f.entityKey}@${f.eventTime}`] = f.values;
    }
    return { unexpected, rejected, rows };
  }

  for (const severity of ['w', 'r'] as const) {
    it(`non_decreasing (${severity === 'w' ? 'warn' : 'reject'}), increasing, diff, diff/lag skipping nulls, sum, count`, async () => {
      await fc.assert(
        fc.asyncProperty(arbCase, async ({ a, b, cuts }) => {
          const n = ++example;
          const records = [
            ...a.map((total, d) => ({ day: day(d), sensor: `a${n}`, total })),
            ...b.map((total, d) => ({ day: day(d), sensor: `b${n}`, total })),
          ].sort((x, y) => x.day.localeCompare(y.day));
          const whole = [await ingest(`whole_${severity}`, records)];
          const bounds = [0, ...[...cuts].sort((x, y) => x - y), 9];
          const split: Run[] = [];
          for (let i = 1; i < bounds.length; i++) {
            const part = records.filter((r) => r.day >= day(bounds[i - 1]!) && r.day < day(bounds[i]!));
            if (part.length > 0) split.push(await ingest(`split_${severity}`, part));
          }
          expect(await outcome(split)).toEqual(await outcome(whole));
        }),
        { numRuns: 20 },
      );
    }, 120_000);
  }

  it('the case from the issue: [10, null] then [8] is one decrease, as [10, null, 8] in one run', async () => {
    const one = await ingest('whole_w', [
      { day: day(0), sensor: 'issue', total: 10 },
      { day: day(1), sensor: 'issue', total: null },
      { day: day(2), sensor: 'issue', total: 8 },
    ]);
    await ingest('split_w', [
      { day: day(0), sensor: 'issue', total: 10 },
      { day: day(1), sensor: 'issue', total: null },
    ]);
    const second = await ingest('split_w', [{ day: day(2), sensor: 'issue', total: 8 }]);
    const nd = (r: Run) => r.validation!.results.find((x) => x.expect === 'non_decreasing')!.unexpectedCount;
    expect([nd(one), nd(second)]).toEqual([1, 1]);
    const [row] = await rt.store.features.forRun(second.id);
    expect(row!.values).toMatchObject({ total: 8, change: null, since_known: -2 });
  });
});
