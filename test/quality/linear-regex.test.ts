/**
 * User patterns on RE2: search semantics, patterns RE2 cannot run refused with a reason,
 * and answers remembered for repeated short inputs without changing any answer.
 */
import { describe, expect, it } from 'vitest';
import { compileLinearRegex, linearRegexProblem, remembered } from '../../src/quality/linear-regex';

describe('compileLinearRegex', () => {
  it('matches anywhere, like RegExp.test, and stays linear on a pathological pattern', () => {
    const id = compileLinearRegex('^d[0-9]{5}$');
    expect(['d00001', 'd1', 'xd00001', 'd00001', 'd1'].map((s) => id.test(s))).toEqual([
      true,
      false,
      false,
      true,
      false,
    ]);
    expect(compileLinearRegex('ok').test('not ok here')).toBe(true);
    expect(compileLinearRegex('^(a+)+$').test(`${'a'.repeat(5_000)}!`)).toBe(false);
  });

  it('refuses backreferences and lookarounds, saying why', () => {
    expect(linearRegexProblem('(a)\\1')).toMatch(/backreferences .* not supported/);
    expect(linearRegexProblem('a(?=b)')).toMatch(/lookarounds .* not supported/);
    expect(linearRegexProblem('^[a-z]+$')).toBeNull();
  });
});

describe('remembered', () => {
  const counting = (f: (s: string) => boolean) => {
    const calls = { n: 0 };
    return { calls, test: remembered((s) => (calls.n++, f(s))) };
  };

  it('asks once per repeated short input, every time for a long one', () => {
    const { calls, test } = counting((s) => s.startsWith('a'));
    for (let i = 0; i < 1_000; i++) expect(test.test(i % 2 ? 'abc' : 'xyz')).toBe(i % 2 === 1);
    expect(calls.n).toBe(2);
    const long = 'a'.repeat(300);
    test.test(long);
    test.test(long);
    expect(calls.n).toBe(4);
  });

  it('stops remembering a column of unique values, and answers stay right', () => {
    const { calls, test } = counting((s) => s.endsWith('7'));
    for (let i = 0; i < 70_000; i++) expect(test.test(`id-${i}`)).toBe(i % 10 === 7);
    expect(calls.n).toBe(70_000);
    // The last value seen would still be remembered had the memo stayed on.
    test.test('id-69999');
    expect(calls.n).toBe(70_001);
  });

  it('keeps remembering repeats past its size, answers right after it empties', () => {
    const { calls, test } = counting((s) => s.length % 2 === 0);
    const values = Array.from({ length: 70_000 }, (_, i) => `v${i}`);
    for (let round = 0; round < 3; round++) {
      for (const v of values.slice(0, 10_000)) expect(test.test(v)).toBe(v.length % 2 === 0);
    }
    // Ten thousand ids in turn (a device column): each asked once, then remembered.
    expect(calls.n).toBe(10_000);
    for (const v of values) expect(test.test(v)).toBe(v.length % 2 === 0);
    for (const v of values) expect(test.test(v)).toBe(v.length % 2 === 0);
  });
});
