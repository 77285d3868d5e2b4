/**
 * Drift expectations across runs on generated data: a column whose distribution moves
 * run by run passes distribution_stable while the move is small and fails once it
 * exceeds the threshold; null_rate_stable catches a rising null rate; a failed run's
 * profile never becomes a baseline; a first run passes with a note.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import type { ExpectationResult } from '../../src/domain/validation-report';
import type { Run } from '../../src/domain/run';

const contract = (expectations: string) => `
name: meters
version: 1.0.0
owner: tests
entity: { name: meter, key: [meter] }
eventTime: at
source: { type: csv, path: "meters/*.csv" }
schema:
  - { name: at, type: date, required: true }
  - { name: meter, type: string, required: true }
  - { name: x, type: number }
  - { name: tag, type: string }
expectations:
${expectations}
features:
  - { name: x, column: x }
`;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 3000 rows of x ~ Normal(50 + shift, 10); `nullRate` of tag empty. */
function day(shift: number, nullRate: number, seed: number): string {
  const r = rng(seed);
  const lines = ['at,meter,x,tag'];
  for (let i = 0; i < 3000; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const tag = r() < nullRate ? '' : `t${i % 5}`;
    lines.push(`2024-03-01,m${seed}-${i},${(50 + shift + 10 * z).toFixed(3)},${tag}`);
  }
  return lines.join('\n') + '\n';
}

function result(run: Run, expect: string): ExpectationResult {
  return run.validation!.results.find((r) => r.expect === expect)!;
}

describe(`drift expectations (${testEngine()})`, () => {
  let rt: TestRuntime;
  afterEach(async () => rt?.dispose());

  async function runDay(n: number, shift: number, nullRate: number): Promise<Run> {
    await rt.land(`meters/day-${n}.csv`, day(shift, nullRate, n));
    const run = await rt.runs.trigger({ contract: 'meters', environment: 'dev', actor: 'test' });
    return (await rt.store.runs.get(run.id))!;
  }

  it.each([
    ['psi', 0.2],
    ['ks', 0.15],
    ['js', 0.05],
  ])(
    'distribution_stable (%s) passes small shifts and fails a large one; the failed run is no baseline',
    async (method, max) => {
      rt = await createTestRuntime({
        contracts: [
          contract(
            [
              `  - { expect: distribution_stable, column: x, method: ${method}, max: ${max}, baseline: { last: 3 }, severity: fail }`,
              '  - { expect: null_rate_stable, column: tag, maxChange: 0.1, severity: warn }',
            ].join('\n'),
          ),
        ],
      });
      const first = await runDay(1, 0, 0);
      expect(first.status).toBe('succeeded');
      expect(result(first, 'distribution_stable')).toMatchObject({ success: true, observedValue: null });
      expect(result(first, 'distribution_stable').details!.note).toMatch(/no baseline yet/);

      const stable: Run[] = [];
      for (const [n, shift] of [
        [2, 0],
        [3, 1],
        [4, 2],
      ] as const)
        stable.push(await runDay(n, shift, 0.02));
      for (const run of stable) {
        expect(run.status).toBe('succeeded');
        const r = result(run, 'distribution_stable');
        expect(r.success).toBe(true);
        expect(r.observedValue as number).toBeLessThanOrEqual(max);
        expect(r.details).toMatchObject({ method, max, baseline: 'last 3 succeeded runs' });
      }
      expect(result(stable[2]!, 'distribution_stable').details!.baselineRuns).toEqual(
        [stable[1]!, stable[0]!, first].map((r) => r.id),
      );

      // A shift of 1.2 standard deviations: far past any of the thresholds.
      const shifted = await runDay(5, 12, 0.02);
      expect(shifted.status).toBe('failed');
      const drift = result(shifted, 'distribution_stable');
      expect(drift.success).toBe(false);
      expect(drift.observedValue as number).toBeGreaterThan(max);

      // Back to normal: the failed run stored no profile, so the baseline is runs 2-4.
      const after = await runDay(6, 1, 0.02);
      expect(after.status).toBe('succeeded');
      expect(result(after, 'distribution_stable').details!.baselineRuns).toEqual(
        stable.map((r) => r.id).reverse(),
      );
      expect(await rt.store.profiles.forRun(shifted.id)).toEqual([]);
    },
  );

  it('null_rate_stable catches a rising null rate; severity warn keeps the run', async () => {
    rt = await createTestRuntime({
      contracts: [
        contract(
          '  - { expect: null_rate_stable, column: tag, maxChange: 0.1, baseline: { last: 2 }, severity: warn }',
        ),
      ],
    });
    const rates = [0, 0.03, 0.08, 0.15, 0.4];
    const runs: Run[] = [];
    for (const [i, rate] of rates.entries()) runs.push(await runDay(i + 1, 0, rate));
    expect(runs.map((r) => r.status)).toEqual(rates.map(() => 'succeeded'));
    const verdicts = runs.map((r) => result(r, 'null_rate_stable').success);
    expect(verdicts).toEqual([true, true, true, true, false]);
    const last = result(runs[4]!, 'null_rate_stable');
    expect(last.observedValue as number).toBeGreaterThan(0.1);
    expect(last.details).toMatchObject({ maxChange: 0.1, baseline: 'last 2 succeeded runs' });
    expect(runs[4]!.validation!.success).toBe(true);
  });

  it('a pinned baseline run is compared with whatever came after it', async () => {
    rt = await createTestRuntime({
      contracts: [contract('  - { expect: not_null, column: meter, severity: fail }')],
    });
    const pinned = await runDay(1, 0, 0);
    await runDay(2, 30, 0);
    await rt.apply(
      contract(
        `  - { expect: distribution_stable, column: x, max: 0.2, baseline: { run: ${pinned.id} }, severity: warn }`,
      ).replace('version: 1.0.0', 'version: 1.1.0'),
    );
    const close = await runDay(3, 0.5, 0);
    expect(close.status).toBe('succeeded');
    // Run 2 (shifted by 3 standard deviations) is newer, but the pinned run is the baseline.
    expect(result(close, 'distribution_stable').success).toBe(true);
    expect(result(close, 'distribution_stable').details).toMatchObject({
      baseline: `run ${pinned.id}`,
      baselineRuns: [pinned.id],
    });
  });
});
