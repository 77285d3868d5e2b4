/** Drift expectations in review: bad method and thresholds are named where they stand. */
import { describe, expect, it } from 'vitest';
import { parseContract } from '../../src/contracts/parse';
import { ContractValidationError } from '../../src/errors';

const contract = (line: string) => `name: d
version: 1.0.0
owner: t
entity: { name: e, key: [e] }
eventTime: at
source: { type: csv, path: "d/*.csv" }
schema:
  - { name: at, type: date, required: true }
  - { name: e, type: string, required: true }
  - { name: x, type: number }
expectations:
${line}
features:
  - { name: x, column: x }
`;

describe('drift expectations in contracts lint', () => {
  it.each([
    [
      '  - { expect: distribution_stable, column: x, method: chi, max: 0.2, severity: fail }',
      /one of: psi, ks, js; got 'chi'/,
    ],
    ['  - { expect: distribution_stable, column: x, method: ks, max: 1.5, severity: fail }', /at most 1/],
    ['  - { expect: distribution_stable, column: x, max: 0, severity: fail }', /greater than 0/],
    ['  - { expect: null_rate_stable, column: x, maxChange: 2, severity: warn }', /<= 1/],
    ['  - { expect: null_rate_stable, column: x, severity: warn }', /needs 'maxChange'/],
  ])('%s', (line, message) => {
    let error: unknown;
    try {
      parseContract(contract(line), 'd.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContractValidationError);
    const issues = (error as ContractValidationError).issues;
    expect(issues.map((i) => i.message).join('; ')).toMatch(message);
    expect(issues.every((i) => i.line === 12)).toBe(true);
  });
});
