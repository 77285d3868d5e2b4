import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { compileExpression, validateExpression } from '../../src/pipeline/expression';
import type { Value } from '../../src/domain/value';

const NAMES = ['deaths', 'confirmed', 'country', 'flag', 'rate', 'name'];
const run = (expr: string, values: Record<string, Value>) => compileExpression(expr, NAMES, 'test')(values);

describe('compileExpression', () => {
  it('computes arithmetic', () => {
    expect(run('deaths / confirmed', { deaths: 1, confirmed: 4 })).toBe(0.25);
    expect(run('(confirmed - deaths) * 2 + 1', { deaths: 1, confirmed: 4 })).toBe(7);
    expect(run('confirmed ^ 2', { confirmed: 3 })).toBe(9);
    expect(run('-confirmed mod 3', { confirmed: 1 })).toBe(2);
  });

  it('gives null for division or mod by zero', () => {
    expect(run('deaths / confirmed', { deaths: 1, confirmed: 0 })).toBeNull();
    expect(run('deaths mod confirmed', { deaths: 1, confirmed: 0 })).toBeNull();
    expect(run('0 / 0', {})).toBeNull();
  });

  it('gives null for NaN or infinite results', () => {
    expect(run('sqrt(rate)', { rate: -1 })).toBeNull();
    expect(run('log(rate)', { rate: 0 })).toBeNull();
    expect(run('10 ^ rate', { rate: 400 })).toBeNull();
    expect(run('exp(rate)', { rate: 1000 })).toBeNull();
  });

  it('propagates null through arithmetic and comparisons', () => {
    expect(run('deaths / confirmed', { deaths: null, confirmed: 4 })).toBeNull();
    expect(run('deaths + 1', { deaths: null })).toBeNull();
    expect(run('-deaths', { deaths: null })).toBeNull();
    expect(run('deaths > 0', { deaths: null })).toBeNull();
    expect(run('country == "US"', { country: null })).toBeNull();
    expect(run('deaths > 0 and confirmed > 0', { deaths: null, confirmed: 1 })).toBeNull();
    expect(run('if deaths > 0 then 1 else 2', { deaths: null })).toBeNull();
  });

  it('treats a declared name missing from the row as null', () => {
    expect(run('deaths + 1', {})).toBeNull();
  });

  it('handles nulls explicitly with coalesce, exists and empty', () => {
    expect(run('coalesce(deaths, 0) + 1', { deaths: null })).toBe(1);
    expect(run('coalesce(deaths, confirmed)', { deaths: null, confirmed: null })).toBeNull();
    expect(run('exists(deaths)', { deaths: null })).toBe(false);
    expect(run('exists(deaths)', { deaths: 0 })).toBe(true);
    expect(run('empty(name)', { name: '' })).toBe(true);
  });

  it('supports the whitelisted functions', () => {
    expect(run('abs(rate)', { rate: -2 })).toBe(2);
    expect(run('round(rate)', { rate: 2.5 })).toBe(3);
    expect(run('round(rate, 2)', { rate: 1.23456 })).toBe(1.23);
    expect(run('floor(rate) + ceil(rate)', { rate: 1.5 })).toBe(3);
    expect(run('pow(2, 10)', {})).toBe(1024);
    expect(run('min(deaths, confirmed, 5)', { deaths: null, confirmed: 3 })).toBe(3);
    expect(run('max(deaths, confirmed)', { deaths: null, confirmed: null })).toBeNull();
    expect(run('length(name)', { name: 'abcd' })).toBe(4);
    expect(run('length(name)', { name: null })).toBeNull();
    expect(run('log10(1000) + log2(8)', {})).toBe(6);
  });

  it('supports if/then/else, boolean logic, in, string comparison and regex', () => {
    expect(run('if confirmed > 100 then "high" else "low"', { confirmed: 150 })).toBe('high');
    expect(run('flag == true and not (country in ("US", "FR"))', { flag: true, country: 'DE' })).toBe(true);
    expect(run('country < "M"', { country: 'FR' })).toBe(true);
    expect(run('country ~= "^U"', { country: 'US' })).toBe(true);
    expect(run('country + "-" + name', { country: 'US', name: 'x' })).toBe('US-x');
  });

  it('matches ~= in linear time and refuses a literal pattern RE2 cannot run', () => {
    // A backtracking engine needs about 2^40 steps for this (the test would time out).
    expect(run('name ~= "(a+)+$"', { name: 'a'.repeat(40) + '!' })).toBe(false);
    expect(run('name ~= "(a+)+$"', { name: 'baaa' })).toBe(true);
    expect(validateExpression('name ~= "^(?=a)"', NAMES)).toMatch(/^~= lookarounds .* not supported/);
    expect(validateExpression('name ~= "(a)\\\\1"', NAMES)).toMatch(/^~= backreferences \(\\1\)/);
    // Known only per row: a pattern RE2 cannot run gives null, like any unusable operand.
    expect(run('name ~= country', { name: 'aa', country: '(a)\\1' })).toBeNull();
  });

  it('gives null for a type mismatch instead of failing the run', () => {
    expect(run('country * 2', { country: 'US' })).toBeNull();
    expect(run('confirmed < country', { confirmed: 1, country: 'US' })).toBeNull();
    expect(run('if confirmed then 1 else 2', { confirmed: 1 })).toBeNull();
    expect(run('(1, 2)', {})).toBeNull();
  });

  it('refuses unknown names, naming where and what', () => {
    expect(() => compileExpression('deaths / cases', ['deaths'], 'features/fatality/expr')).toThrow(
      expect.objectContaining({
        name: 'InputError',
        message: 'features/fatality/expr: unknown name cases (known: deaths)',
      }),
    );
    expect(() => compileExpression('constructor', ['deaths'], 'w')).toThrow(/unknown name constructor/);
    expect(() => compileExpression("'weird name' + 1", ['deaths'], 'w')).toThrow(/unknown name weird name/);
    expect(compileExpression("'weird name' + 1", ['weird name'], 'w')({ 'weird name': 1 })).toBe(2);
  });

  it('refuses functions outside the whitelist', () => {
    expect(() => compileExpression('eval(deaths)', NAMES, 'w')).toThrow(/w: unknown function eval/);
    expect(() => compileExpression('toString(deaths)', NAMES, 'w')).toThrow(/unknown function toString/);
  });

  it('refuses syntax errors with a one-line message', () => {
    let message = '';
    try {
      compileExpression('deaths +', NAMES, 'filters/0/expr');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/^filters\/0\/expr: syntax error at position \d+: /);
    expect(message).not.toContain('\n');
  });

  it('explains syntax errors in plain words: where, and what was expected there', () => {
    const cases: Array<[string, string]> = [
      [
        'confirmed / (2',
        "syntax error at position 15: a '(' is not closed: expected ')', but the expression ends there",
      ],
      [
        'confirmed +* 2',
        "syntax error at position 12: expected a value (a number, a name, a \"string\", a function call or '('), but found '*'",
      ],
      [
        'deaths confirmed',
        "syntax error at position 8: expected an operator (such as + - * / == < and or) or the end of the expression, but found the name 'confirmed'",
      ],
      [
        'if deaths then 1',
        "syntax error at position 17: 'if … then …' needs 'else …', but the expression ends there",
      ],
      ['deaths = 1', "syntax error at position 8: '=' is not an operator: compare with '=='"],
      ['deaths & flag', "syntax error at position 8: '&' is not an operator: use 'and'"],
      ['"open', 'syntax error at position 1: a string is not closed: end it with "'],
    ];
    for (const [expr, message] of cases) expect(validateExpression(expr, NAMES), expr).toBe(message);
  });

  it('suggests the nearest name for a misspelt one', () => {
    expect(validateExpression('confirmd / 2', NAMES)).toBe(
      `unknown name confirmd — did you mean 'confirmed'? (known: ${NAMES.join(', ')})`,
    );
  });

  it('refuses of, % and ? :', () => {
    expect(validateExpression('x of deaths', NAMES)).toMatch(/'of'/);
    expect(validateExpression('deaths % 2', NAMES)).toMatch(/mod/);
    expect(validateExpression('flag ? 1 : 2', NAMES)).toMatch(/if c then a else b/);
  });

  it('refuses an empty expression', () => {
    expect(validateExpression('  ', NAMES)).toBe('expression is empty');
  });
});

describe('validateExpression', () => {
  it('returns null for a valid expression and the message otherwise', () => {
    expect(validateExpression('deaths / confirmed', NAMES)).toBeNull();
    expect(validateExpression('deaths / nope', NAMES)).toBe(`unknown name nope (known: ${NAMES.join(', ')})`);
    expect(validateExpression('a + b', [])).toBe('unknown names a, b (known: none)');
  });
});
