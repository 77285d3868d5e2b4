import { Ajv } from 'ajv';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXPECTATION_NAMES, type ExpectationSpec } from '../../src/domain/contract';
import { InputError } from '../../src/errors';
import { CATALOGUE } from '../../src/quality/catalogue';
import { compileChecks } from '../../src/quality/compile';
import { validateBatch } from '../../src/quality/validate';
import { SCHEMA, contract, ctxOf, series } from './fixtures';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('compileChecks', () => {
  it('has an implementation for every expectation name', () => {
    expect(Object.keys(CATALOGUE).sort()).toEqual([...EXPECTATION_NAMES].sort());
  });

  it('compiles the ajv schema once, however many rows and batches are validated', () => {
    const spy = vi.spyOn(Ajv.prototype, 'compile');
    const schema = SCHEMA.map((c) => (c.name === 'confirmed' ? { ...c, minimum: 0 } : c));
    const checks = compileChecks(
      contract([{ expect: 'match_regex', column: 'code', regex: '^[a-z]+$', severity: 'reject' }], schema),
    );
    const rows = series(
      'confirmed',
      Array.from({ length: 10_000 }, (_, i) => i - 5),
      { code: 'ab' },
    );
    const first = validateBatch(checks, rows, ctxOf());
    validateBatch(checks, rows, ctxOf());
    expect(spy).toHaveBeenCalledTimes(1);
    expect(first.rejected).toHaveLength(5);
  });

  it('does not compile ajv at all when no column carries a constraint', () => {
    const spy = vi.spyOn(Ajv.prototype, 'compile');
    compileChecks(contract([]));
    expect(spy).not.toHaveBeenCalled();
  });

  const bad: Array<[string, ExpectationSpec, RegExp]> = [
    ['an unknown column', { expect: 'not_null', column: 'nope', severity: 'warn' }, /unknown column 'nope'/],
    ['a missing column', { expect: 'in_set', values: [1], severity: 'warn' }, /needs `column`/],
    [
      'between on a string',
      { expect: 'between', column: 'code', min: 1, severity: 'warn' },
      /needs a column of type/,
    ],
    ['no bounds', { expect: 'between', column: 'confirmed', severity: 'warn' }, /needs `min` or `max`/],
    ['min > max', { expect: 'row_count_between', min: 5, max: 1, severity: 'warn' }, /min 5 > max 1/],
    ['a bad regex', { expect: 'match_regex', column: 'code', regex: '(', severity: 'warn' }, /invalid regex/],
    ['a bad duration', { expect: 'fresh_within', maxAge: '2 days', severity: 'warn' }, /ISO-8601/],
    ['mostly out of range', { expect: 'not_null', column: 'code', mostly: 2, severity: 'warn' }, /mostly 2/],
    ['a missing type', { expect: 'of_type', column: 'code', severity: 'warn' }, /needs `type`/],
    [
      'an unknown compound column',
      { expect: 'compound_unique', columns: ['x'], severity: 'warn' },
      /unknown column 'x'/,
    ],
  ];
  for (const [what, spec, message] of bad) {
    it(`throws InputError naming the expectation for ${what}`, () => {
      const attempt = () =>
        compileChecks(contract([{ expect: 'not_null', column: 'code', severity: 'warn' }, spec]));
      expect(attempt).toThrow(InputError);
      expect(attempt).toThrow(message);
      expect(attempt).toThrow(/expectations\[1\]/);
    });
  }

  it('throws InputError for a column pattern that does not compile', () => {
    const schema = SCHEMA.map((c) => (c.name === 'code' ? { ...c, pattern: '(' } : c));
    expect(() => compileChecks(contract([], schema))).toThrow(InputError);
  });
});

describe('implied expectations', () => {
  it('checks a column declared unique: true like a unique expectation with severity reject', async () => {
    const { compileChecks, validateBatch } = await import('../../src/quality');
    const contract = {
      name: 'u',
      version: '1.0.0',
      owner: 'o',
      entity: { name: 'e', key: ['id'] },
      eventTime: 't',
      source: { type: 'push' as const },
      schema: [
        { name: 't', type: 'timestamp' as const, required: true },
        { name: 'id', type: 'string' as const, required: true, unique: true },
      ],
      expectations: [],
      features: [{ name: 'id', column: 'id' }],
    };
    const rows = ['a', 'b', 'a'].map((id, i) => ({
      rowNumber: i + 1,
      rawBatchId: 'b',
      raw: { id },
      values: { id, t: i },
      entityKey: JSON.stringify(id),
      eventTime: i,
    }));
    const out = validateBatch(compileChecks(contract), rows, { now: 10, presentColumns: ['id', 't'] });
    expect(out.rejected.map((r) => r.row.rowNumber)).toEqual([3]);
    expect(out.report.results.find((r) => r.expect === 'unique')).toMatchObject({
      column: 'id',
      severity: 'reject',
      unexpectedCount: 1,
    });
  });
});
