import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inferWindowType, typeFeatures } from '../../src/contracts/feature-type';
import type { Contract } from '../../src/domain/contract';
import { BASE, baseWith, issuesOf, positionOf } from '../fixtures/contracts/samples';
import { parseContract } from '../../src/contracts/parse';

const withFeatures = (lines: string) =>
  baseWith(
    '  - { name: confirmed, column: confirmed }\n',
    `  - { name: confirmed, column: confirmed }\n${lines}`,
  );

describe('inferWindowType', () => {
  it.each([
    ['sum', 'int', 'int'],
    ['sum', 'float', 'float'],
    ['mean', 'int', 'float'],
    ['count', 'string', 'int'],
    ['min', 'int', 'int'],
    ['max', 'timestamp', 'timestamp'],
    ['lag', 'string', 'string'],
    ['diff', 'int', 'int'],
    ['diff', 'float', 'float'],
    ['diff', 'date', 'int'],
  ] as const)('%s of %s is %s', (op, column, type) => {
    expect(inferWindowType(op, column)).toEqual({ type });
  });

  it.each([
    ['sum', 'string'],
    ['mean', 'bool'],
    ['min', 'string'],
    ['diff', 'string'],
  ] as const)('%s of %s has no type', (op, column) => {
    expect(inferWindowType(op, column)).toHaveProperty('unknown');
  });
});

describe('typeFeatures', () => {
  it('types every feature of the example contract, in order, with descriptions', () => {
    const c = parseContract(
      withFeatures(
        [
          '  - { name: d, column: deaths }',
          '  - { name: new_cases, window: { op: diff, column: confirmed } }',
          '  - { name: new_cases_7d, window: { op: sum, column: new_cases, rows: 7 } }',
          '  - { name: avg_7d, window: { op: mean, column: new_cases, duration: P7D } }',
          "  - { name: fatality, expr: 'deaths / confirmed', description: Deaths per case. }",
          "  - { name: any_deaths, expr: 'deaths > 0' }",
          '  - { name: day, column: date }',
          "  - { name: label, expr: 'country', type: string }",
          "  - { name: ratio, expr: 'confirmed * 2', type: float }",
        ].join('\n') + '\n',
      ),
      'c.yaml',
    ).contract;
    expect(typeFeatures(c)).toEqual({
      problems: [],
      features: [
        { name: 'confirmed', type: 'int', description: 'column confirmed' },
        { name: 'd', type: 'int', description: 'column deaths' },
        { name: 'new_cases', type: 'int', description: 'diff of confirmed per entity' },
        {
          name: 'new_cases_7d',
          type: 'int',
          description: 'sum of new_cases over the last 7 rows per entity',
        },
        { name: 'avg_7d', type: 'float', description: 'mean of new_cases over P7D per entity' },
        { name: 'fatality', type: 'float', description: 'Deaths per case.' },
        { name: 'any_deaths', type: 'bool', description: 'expression: deaths > 0' },
        { name: 'day', type: 'date', description: 'column date' },
        { name: 'label', type: 'string', description: 'expression: country' },
        // An int may be served as a float.
        { name: 'ratio', type: 'float', description: 'expression: confirmed * 2' },
      ],
    });
  });

  it('uses the column description for a column feature without one', () => {
    const c = parse(BASE) as Contract;
    c.schema[2]!.description = 'Cumulative cases.';
    expect(typeFeatures(c).features[0]!.description).toBe('Cumulative cases.');
  });
});

describe('contracts lint: feature types', () => {
  it('refuses an expression whose type cannot be inferred and is not declared, naming the feature and line', () => {
    const text = withFeatures(`  - { name: odd, expr: 'if deaths > 0 then "some" else deaths' }\n`);
    const issues = issuesOf(text);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toBe(
      "cannot infer the type of feature 'odd' ('if' gives string on one branch and int on the other); declare one with 'type: int | float | string | bool | timestamp | date'",
    );
    expect(issues[0]!.path).toBe('/features/1/expr');
    expect(issues[0]!.line).toBe(positionOf(text, "'if deaths").line);
  });

  it('accepts the same expression with a declared type', () => {
    const text = withFeatures(
      `  - { name: odd, expr: 'if deaths > 0 then "some" else deaths', type: string }\n`,
    );
    expect(typeFeatures(parseContract(text, 'c.yaml').contract).features[1]!.type).toBe('string');
  });

  it('refuses a declared type that contradicts the inferred one', () => {
    const text = withFeatures(`  - { name: rate, expr: 'deaths / confirmed', type: int }\n`);
    const [issue] = issuesOf(text);
    expect(issue!.message).toBe("feature 'rate' declares type int but its expr gives float");
    expect(issue!.path).toBe('/features/1/type');
    expect(issue!.line).toBe(positionOf(text, 'type: int }').line);
  });

  it('refuses a window type contradiction and a window over a column it cannot aggregate', () => {
    const text = withFeatures(
      '  - { name: s, window: { op: mean, column: confirmed, rows: 3 }, type: int }\n' +
        '  - { name: cty, column: country }\n' +
        '  - { name: c, window: { op: sum, column: cty, rows: 3 } }\n',
    );
    expect(issuesOf(text).map((i) => i.message)).toEqual([
      "feature 's' declares type int but its window gives float",
      "cannot infer the type of feature 'c' (sum of a string column is always null); declare one with 'type: int | float | string | bool | timestamp | date'",
    ]);
  });

  it('refuses a type that is not one of the six', () => {
    const [issue] = issuesOf(withFeatures('  - { name: x, column: deaths, type: integer }\n'));
    expect(issue!.path).toBe('/features/1/type');
  });
});
