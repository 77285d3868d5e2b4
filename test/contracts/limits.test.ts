/**
 * Contract size bounds (src/contracts/limits.ts): a contract at every bound parses;
 * one item over a bound is refused at the list's key, naming the count, the limit and
 * why, before any other check runs; the linter reports it beside the good files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTRACT_LIMITS } from '../../src/contracts/limits';
import { parseContract } from '../../src/contracts/parse';
import { lintContractFiles } from '../../src/contracts/load';
import { issuesOf, positionOf } from '../fixtures/contracts/samples';
import { MAX_SIZE, sizedContract, type ContractSize } from '../fixtures/contracts/sized';

const over = (patch: Partial<ContractSize>) => sizedContract('big', { ...MAX_SIZE, ...patch });

describe('contract size bounds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-limits-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are 500 schema columns, expectations and features, 100 filters, 256 KiB', () => {
    expect(CONTRACT_LIMITS).toEqual({
      bytes: 256 * 1024,
      aliases: 10,
      schemaColumns: 500,
      expectations: 500,
      features: 500,
      filters: 100,
    });
  });

  it('accept a contract at every bound', () => {
    const c = parseContract(sizedContract('big', MAX_SIZE), 'big.yaml').contract;
    expect([c.schema.length, c.expectations.length, c.features.length, c.filters!.length]).toEqual([
      500, 500, 500, 100,
    ]);
  });

  it.each([
    [
      'schema',
      { columns: 501 },
      "501 schema columns; the limit is 500 (every column is read and cleansed for every row, so a run's time and memory grow with schema columns × rows)",
    ],
    [
      'expectations',
      { expectations: 501 },
      "501 expectations; the limit is 500 (every expectation is checked against every row, so a run's time and memory grow with expectations × rows)",
    ],
    [
      'features',
      { features: 1_000 },
      "1000 features; the limit is 500 (every feature is computed and stored for every row, so a run's time and memory grow with features × rows)",
    ],
    [
      'filters',
      { filters: 101 },
      "101 filters; the limit is 100 (every filter is evaluated for every row, so a run's time and memory grow with filters × rows)",
    ],
  ] as const)(
    'refuse one %s over the bound, at the key, naming count, limit and why',
    (key, patch, message) => {
      const text = over(patch);
      expect(issuesOf(text, 'big.yaml')).toEqual([
        { file: 'big.yaml', path: `/${key}`, ...positionOf(text, `${key}:`), message },
      ]);
    },
  );

  it('report every list over its bound at once, and nothing else (no later check runs)', () => {
    // A feature over an unknown column would be a semantic error: it is not reported.
    const text = over({ columns: 600, features: 501 }).replace('column: value }', 'column: nope }');
    expect(issuesOf(text).map((i) => `${i.path}: ${i.message.split(';')[0]}`)).toEqual([
      '/schema: 600 schema columns',
      '/features: 501 features',
    ]);
  });

  it('are reported by lint beside the good files', async () => {
    writeFileSync(join(dir, 'a_big.yaml'), over({ expectations: 700 }));
    writeFileSync(join(dir, 'b_ok.yaml'), sizedContract('ok', MAX_SIZE));
    const { parsed, issues } = await lintContractFiles([dir]);
    expect(parsed.map((p) => p.contract.name)).toEqual(['ok']);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: join(dir, 'a_big.yaml'), path: '/expectations' });
    expect(issues[0]!.message).toMatch(/^700 expectations; the limit is 500 \(/);
  });
});
