/**
 * A run's work in slices (src/pipeline/slices.ts): validation and the transform give
 * exactly what they give straight through, and let the event loop turn (other work
 * queued meanwhile runs) once a slice is used up, inside one check and one entity too.
 */
import { describe, expect, it } from 'vitest';
import type { CleanRow, FeatureRow } from '../../src/domain/rows';
import { finish, finishInSlices, rowsPerBatch, Slicer, type SlicedWork } from '../../src/lib/slices';
import { compileTransform, compileTransformBatches } from '../../src/pipeline/transform';
import { compileChecks } from '../../src/quality/compile';
import { validateBatch, validateBatchInSlices } from '../../src/quality/validate';
import { contract as checksContract, ctxOf, DAY, row, T0 } from '../quality/fixtures';
import type { Contract } from '../../src/domain/contract';

/** Runs `work`, recording 'other' where an immediate queued before it got to run. */
async function interleaved<T>(work: () => Promise<T>, mark: (s: string) => void): Promise<T> {
  setImmediate(() => mark('other'));
  return work();
}

function* counted(points: number, log: string[]): SlicedWork<number> {
  for (let i = 0; i < points; i++) {
    log.push(`step ${i}`);
    yield;
  }
  return points;
}

describe('slices', () => {
  it('finish runs the work straight through; finishInSlices pauses at its points once a slice is used up', async () => {
    expect(finish(counted(3, []))).toBe(3);
    const log: string[] = [];
    const slicer = new Slicer(0);
    const out = await interleaved(
      () => finishInSlices(counted(3, log), slicer),
      (s) => log.push(s),
    );
    expect(out).toBe(3);
    expect(log).toEqual(['step 0', 'other', 'step 1', 'step 2']);
    expect(slicer.pauses).toBe(3);
    // A slice that is never used up never pauses.
    const patient = new Slicer(60_000);
    expect(await finishInSlices(counted(3, []), patient)).toBe(3);
    expect(patient.pauses).toBe(0);
  });

  it('rows per batch: ROWS_PER_LOOK narrow rows, a few rows of 500 features', () => {
    expect(rowsPerBatch(3)).toBe(256);
    expect(rowsPerBatch(500)).toBe(8);
    expect(rowsPerBatch(100_000)).toBe(1);
  });

  it('validation in slices gives what validateBatch gives, and pauses inside a row check', async () => {
    const checks = compileChecks(
      checksContract([
        { expect: 'between', column: 'confirmed', min: 0, max: 100, severity: 'reject' },
        { expect: 'match_regex', column: 'code', regex: '^[A-Z]{2}$', severity: 'warn' },
        { expect: 'mean_between', column: 'confirmed', min: 0, max: 50, severity: 'warn' },
      ]),
    );
    const rows: CleanRow[] = Array.from({ length: 1_000 }, (_, i) =>
      row({ date: T0 + i * DAY, confirmed: i % 150, code: i % 3 ? 'FR' : 'fr' }, i + 1),
    );
    const straight = validateBatch(checks, rows, ctxOf());
    const slicer = new Slicer(0);
    const order: string[] = [];
    const sliced = await interleaved(
      async () => {
        const out = await validateBatchInSlices(checks, rows, ctxOf(), slicer);
        order.push('done');
        return out;
      },
      (s) => order.push(s),
    );
    expect(sliced.report).toEqual(straight.report);
    expect(sliced.rejected.map((r) => r.row.rowNumber)).toEqual(
      straight.rejected.map((r) => r.row.rowNumber),
    );
    expect(order).toEqual(['other', 'done']);
    // 1,000 rows: 3 pause points in each row check, and one after every check.
    expect(slicer.pauses).toBeGreaterThanOrEqual(3 + 3 + 3);
  });

  it('the transform in slices gives the same rows in small batches, and pauses inside one entity', async () => {
    const features = [
      { name: 'v', column: 'v' },
      { name: 'v2', expr: 'v * 2' },
      ...Array.from({ length: 98 }, (_, i) => ({
        name: `s${i}`,
        window: { op: 'sum' as const, column: 'v', rows: i + 1 },
      })),
    ];
    const c: Contract = {
      ...checksContract([]),
      schema: [
        { name: 'country', type: 'string', required: true },
        { name: 'date', type: 'date', required: true },
        { name: 'v', type: 'number' },
      ],
      features,
    };
    const rows = Array.from({ length: 300 }, (_, i) => row({ date: T0 + i * DAY, v: i }, i + 1));
    const straight = compileTransform(c)(rows, new Map());
    const slicer = new Slicer(0);
    const order: string[] = [];
    const batches: FeatureRow[][] = [];
    await interleaved(
      async () => {
        for await (const b of compileTransformBatches(c)(rows, new Map(), slicer)) {
          order.push('batch');
          batches.push(b);
        }
      },
      (s) => order.push(s),
    );
    expect(batches.flat()).toEqual(straight);
    expect(new Set(rows.map((r) => r.entityKey)).size).toBe(1);
    expect(Math.max(...batches.map((b) => b.length))).toBe(rowsPerBatch(100));
    // The event loop turned before the first row was made.
    expect(order[0]).toBe('other');
    expect(slicer.pauses).toBeGreaterThanOrEqual(features.length);
  });
});
