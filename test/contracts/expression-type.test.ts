import { describe, expect, it } from 'vitest';
import { inferExpressionType } from '../../src/contracts/expression-type';
import type { FeatureType } from '../../src/domain/contract';

const names = new Map<string, FeatureType>([
  ['i', 'int'],
  ['j', 'int'],
  ['f', 'float'],
  ['s', 'string'],
  ['b', 'bool'],
  ['t', 'timestamp'],
  ['d', 'date'],
]);
const typeOf = (expr: string) => inferExpressionType(expr, names);

describe('inferExpressionType', () => {
  it.each([
    ['i', 'int'],
    ['i + j', 'int'],
    ['i * 2 - j', 'int'],
    ['i mod 3', 'int'],
    ['-i', 'int'],
    ['i + f', 'float'],
    ['i * 1.5', 'float'],
    ['i / j', 'float'],
    ['i ^ 2', 'float'],
    ['2 ^ 3 ^ 2', 'float'],
    ['s + "x"', 'string'],
    ['i > 0', 'bool'],
    ['i + 1 > j * 2', 'bool'],
    ['not b', 'bool'],
    ['i > 0 and f < 1 or b', 'bool'],
    ['s ~= "^A"', 'bool'],
    ['s in ("a", "b")', 'bool'],
    ['s not in ("a", "b")', 'bool'],
    ['true', 'bool'],
    ['if b then i else j', 'int'],
    ['if b then i else f', 'float'],
    ['if i > 0 then "pos" else "neg"', 'string'],
    ['abs(i)', 'int'],
    ['abs(f)', 'float'],
    ['round(f)', 'int'],
    ['round(f, 2)', 'float'],
    ['floor(f / 2)', 'int'],
    ['sqrt(i)', 'float'],
    ['length(s)', 'int'],
    ['exists(s)', 'bool'],
    ['coalesce(i, 0)', 'int'],
    ['coalesce(f, 0)', 'float'],
    ['coalesce(t, t)', 'timestamp'],
    ['max(i, j, 3)', 'int'],
    ['min(i, f)', 'float'],
    ["'i' * 2", 'int'],
    ['(i + j) * (f)', 'float'],
  ])('%s is %s', (expr, type) => {
    expect(typeOf(expr)).toEqual({ type });
  });

  it.each([
    ['s * 2', "'*' between a string and a int"],
    ['if b then i else s', "'if' gives int on one branch and string on the other"],
    ['t + 1', "'+' between a timestamp and a int"],
    ['coalesce(s, 1)', 'coalesce of string, int'],
    ['-s', "'-' applied to a string"],
  ])('%s cannot be inferred: %s', (expr, reason) => {
    expect(typeOf(expr)).toEqual({ unknown: reason });
  });

  it('names a name whose type is not known', () => {
    expect(typeOf('zz + 1')).toEqual({ unknown: "the type of 'zz' is not known" });
  });
});
