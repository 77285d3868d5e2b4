import { describe, expect, it } from 'vitest';
import type { ColumnSpec } from '../../src/domain/contract';
import { compileChecks } from '../../src/quality/compile';
import { toArray } from '../../src/domain/clean-rows';
import { validateBatch } from '../../src/quality/validate';
import { SCHEMA, contract, ctxOf, row } from './fixtures';

const constrained: ColumnSpec[] = SCHEMA.map((c) => {
  if (c.name === 'confirmed') return { ...c, minimum: 0, maximum: 1000 };
  if (c.name === 'code')
    return { ...c, pattern: '^[A-Z]+$', minLength: 2, maxLength: 3, enum: ['FR', 'DE', 'ABCD'] };
  return c;
});

function run(rows: ReturnType<typeof row>[], coercionRejects?: number) {
  const out = validateBatch(compileChecks(contract([], constrained)), rows, ctxOf({ coercionRejects }));
  return { ...out, accepted: toArray(out.accepted) };
}

describe('schema check', () => {
  it('accepts conforming rows, nulls included, and reports success', () => {
    const out = run([row({ confirmed: 0, code: 'FR' }, 1), row({ confirmed: null, code: null }, 2)]);
    expect(out.rejected).toEqual([]);
    expect(out.report.results[0]).toMatchObject({
      expect: 'schema',
      severity: 'reject',
      success: true,
      elementCount: 2,
      unexpectedCount: 0,
    });
  });

  it('rejects every violating row with one schema reason per broken constraint', () => {
    const out = run([
      row({ confirmed: -1, code: 'fr' }, 1),
      row({ confirmed: 5, code: 'DE' }, 2),
      row({ confirmed: 2000 }, 3),
    ]);
    expect(out.accepted.map((r) => r.rowNumber)).toEqual([2]);
    const first = out.rejected.find((r) => r.row.rowNumber === 1)!;
    expect(first.reasons.map((r) => [r.rule, r.column])).toEqual([
      ['schema', 'confirmed'],
      ['schema', 'code'],
      ['schema', 'code'],
    ]);
    expect(first.reasons[0]).toMatchObject({ value: -1, message: 'confirmed must be >= 0' });
    expect(first.reasons.some((r) => r.message.includes('"FR", "DE", "ABCD"'))).toBe(true);
    const result = out.report.results[0]!;
    expect(result).toMatchObject({
      success: false,
      unexpectedCount: 2,
      details: { byColumn: { confirmed: 2, code: 2 } },
    });
    expect(result.sample[0]).toEqual({
      rowNumber: 1,
      rawBatchId: 'batch-1',
      value: { column: 'confirmed', value: -1 },
    });
  });

  it('runs column patterns in linear time (RE2): ^(a+)+$ on 40 characters', () => {
    const evil = SCHEMA.map((c) => (c.name === 'code' ? { ...c, pattern: '^(a+)+$' } : c));
    const rows = [row({ code: 'a'.repeat(40) + '!' }, 1), row({ code: 'aaa' }, 2)];
    const out = validateBatch(compileChecks(contract([], evil)), rows, ctxOf({}));
    expect(out.rejected.map((r) => r.row.rowNumber)).toEqual([1]);
    expect(out.rejected[0]!.reasons[0]!.message).toBe('code must match pattern "^(a+)+$"');
  });

  it('checks lengths and patterns only on strings, bounds only on numbers (types are loose)', () => {
    const out = run([row({ code: 'ABCD' }, 1)]);
    expect(out.rejected[0]!.reasons.map((r) => r.message)).toEqual([
      'code must NOT have more than 3 characters',
    ]);
  });

  it('does not fail the run: schema rejects quarantine rows, they never fail it', () => {
    expect(run([row({ confirmed: -1 }, 1)]).report.success).toBe(true);
  });

  it('folds cleansing rejects into the schema result when given', () => {
    const out = run([row({ confirmed: 1 }, 1)], 3);
    expect(out.report.results[0]).toMatchObject({
      success: false,
      elementCount: 4,
      unexpectedCount: 3,
      unexpectedPercent: 75,
      details: { coercionRejects: 3 },
    });
  });

  it('is a single always-present result even without constraints', () => {
    const out = validateBatch(compileChecks(contract([])), [row({}, 1)], ctxOf());
    expect(out.report.results).toHaveLength(1);
    expect(out.report.results[0]).toMatchObject({ expect: 'schema', success: true });
  });
});
