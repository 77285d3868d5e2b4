/** Expectations ↔ ODCS quality rules: each reads back as itself, whatever its severity and mostly. */
import { describe, expect, it } from 'vitest';
import { SEVERITIES, type ExpectationSpec } from '../../../src/domain/contract';
import { enumRule, fromRule, toRule } from '../../../src/contracts/odcs/quality';

const SAMPLES: ExpectationSpec[] = [
  { expect: 'not_null', column: 'c', severity: 'warn' },
  { expect: 'not_null', column: 'c', mostly: 0.95, severity: 'warn' },
  { expect: 'unique', column: 'c', mostly: 0.999, severity: 'warn' },
  { expect: 'compound_unique', columns: ['a', 'b'], severity: 'warn' },
  { expect: 'in_set', column: 'c', values: ['x', 1, true], mostly: 0.5, severity: 'warn' },
  { expect: 'match_regex', column: 'c', regex: '^[a-z]+$', severity: 'warn' },
  { expect: 'row_count_between', min: 1, severity: 'warn' },
  { expect: 'row_count_between', max: 10, severity: 'warn' },
  { expect: 'row_count_between', min: 3, max: 3, severity: 'warn' },
  { expect: 'between', column: 'c', min: 0, max: 1, mostly: 0.9, severity: 'warn', description: 'why' },
  { expect: 'fresh_within', maxAge: 'P1D', severity: 'warn' },
];

describe('ODCS quality rules', () => {
  for (const sample of SAMPLES) {
    for (const severity of SEVERITIES) {
      const e = { ...sample, severity };
      it(`${e.expect} ${JSON.stringify(e)} reads back as itself`, () => {
        const column = e.column;
        const reading = fromRule(toRule(e), { column });
        expect(reading).toEqual({ kind: 'expectation', expectation: e, lost: [] });
      });
    }
  }

  it('reads ODCS severities: error → fail, warning and info → warn, none → warn', () => {
    const rule = (severity?: string) => ({
      metric: 'nullValues',
      mustBe: 0,
      ...(severity ? { severity } : {}),
    });
    const severityOf = (s?: string) => {
      const r = fromRule(rule(s), { column: 'c' });
      return r.kind === 'expectation' ? r.expectation.severity : r.kind;
    };
    expect([severityOf('error'), severityOf('warning'), severityOf('info'), severityOf()]).toEqual([
      'fail',
      'warn',
      'warn',
      'warn',
    ]);
  });

  it('reads a column enum back as the enum, and the same rule without the marker as in_set', () => {
    expect(fromRule(enumRule(['a', 'b']), { column: 'c' })).toEqual({
      kind: 'enum',
      values: ['a', 'b'],
      lost: [],
    });
    const { customProperties: _, ...plain } = enumRule(['a', 'b']);
    expect(fromRule(plain, { column: 'c' })).toMatchObject({
      kind: 'expectation',
      expectation: { expect: 'in_set', column: 'c', values: ['a', 'b'], severity: 'fail' },
    });
  });
});
