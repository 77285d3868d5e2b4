/** How the contract page words a contract's parts (console/src/pages/contract/definitions.ts). */
import { describe, expect, it } from 'vitest';
import {
  constraintList,
  declared,
  expectationView,
  featureDefinition,
  nextEnvironment,
} from '../../console/src/pages/contract/definitions';

describe('contract page wording', () => {
  it('words constraints, feature definitions and expectations', () => {
    expect(constraintList({ minimum: 0, enum: ['EUR', 'USD'], pattern: '^[a-z]+$' })).toEqual([
      'minimum 0',
      'enum EUR, USD',
      'pattern ^[a-z]+$',
    ]);
    expect(constraintList(undefined)).toEqual([]);
    expect(featureDefinition('column', 'amount')).toBe('column amount');
    expect(featureDefinition('expr', 'amount * 100')).toBe('amount * 100');
    expect(featureDefinition('window', { op: 'sum', column: 'amount', duration: 'PT24H' })).toBe(
      'sum(amount) over the last 24 hours',
    );
    expect(featureDefinition('window', { op: 'diff', column: 'amount', offset: 2, skipNulls: true })).toBe(
      'diff(amount), 2 rows back, skipping nulls',
    );
    expect(featureDefinition('window', { op: 'mean', column: 'x', rows: 5 })).toBe(
      'mean(x) over the last 5 rows',
    );
    expect(
      expectationView({
        expect: 'between',
        column: 'amount',
        min: 0,
        max: 50000,
        mostly: 0.999,
        severity: 'reject',
      }),
    ).toEqual({
      name: 'between(amount)',
      severity: 'reject',
      bounds: 'min 0, max 50000',
      mostly: 0.999,
      description: null,
    });
    expect(
      expectationView({ expect: 'compound_unique', columns: ['a', 'b'], severity: 'fail' }),
    ).toMatchObject({
      name: 'compound_unique(a, b)',
      bounds: '—',
    });
  });

  it('promotes to the environment above the highest one a version is active in', () => {
    expect(nextEnvironment(['dev'])).toBe('test');
    expect(nextEnvironment(['test', 'dev'])).toBe('prod');
    expect(nextEnvironment(['dev', 'test', 'prod'])).toBeNull();
    expect(nextEnvironment([])).toBeNull();
  });

  it('reads the name and version a pasted YAML declares, for the confirmation', () => {
    expect(declared('name: prices\nversion: "2.0.0" # bumped\nowner: x\n')).toEqual({
      name: 'prices',
      version: '2.0.0',
    });
    expect(declared('schema: []')).toEqual({ name: null, version: null });
  });
});
