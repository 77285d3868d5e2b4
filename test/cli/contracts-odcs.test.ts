/**
 * `tidemark contracts export --format odcs` and `tidemark contracts import` as a user
 * runs them (node bin/tidemark.js), against this leg's store: the export of a
 * registered version, its import into a contract file that lints, and the refusals.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { odcsSchemaFindings } from '../../src/contracts/odcs/validate';
import { parseContract } from '../../src/contracts/parse';
import { createCliHome, REPO, type CliHome } from '../support/cli';
import { testEngine } from '../support/engine';

const lines = (s: string) => s.trimEnd().split('\n');

describe(`contracts export / import (${testEngine()})`, { timeout: 600_000 }, () => {
  let home: CliHome;

  beforeAll(async () => {
    home = await createCliHome();
    const applied = await home.cli(['contracts', 'apply']);
    expect(applied.code, applied.stderr).toBe(0);
  });
  afterAll(() => home.dispose());

  it('exports a registered version as valid ODCS and imports it into a contract equal to the registered one', async () => {
    const file = join(home.dataDir, 'card_transactions.odcs.yaml');
    const exported = await home.cli([
      'contracts',
      'export',
      'card_transactions',
      '--version',
      '1.0.0',
      '--format',
      'odcs',
      '--output',
      file,
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toBe('');
    const doc = parse(readFileSync(file, 'utf8'));
    expect(odcsSchemaFindings(doc)).toEqual([]);
    expect(doc).toMatchObject({
      name: 'card_transactions',
      version: '1.0.0',
      status: 'active',
      team: { name: 'payments-risk' },
    });

    const out = join(home.dataDir, 'card_transactions.yaml');
    const imported = await home.cli(['contracts', 'import', file, '--out', out]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(lines(imported.stderr)).toEqual([
      `not imported  ${file}:6:9 /status: status 'active' not kept: a Tidemark version's status comes from its promotions (tidemark contracts promote)`,
      `imported  card_transactions@1.0.0 → ${out}  (6 columns, 3 expectations, 6 features; 1 item(s) not imported)`,
    ]);
    const original = readFileSync(join(REPO, 'contracts/card_transactions.yaml'), 'utf8');
    // The same contract; ODCS groups expectations under their columns, so only their order may differ.
    const sorted = (text: string) => {
      const c = parseContract(text, 'c.yaml').contract;
      return { ...c, expectations: [...c.expectations].sort((a, b) => a.expect.localeCompare(b.expect)) };
    };
    expect(sorted(readFileSync(out, 'utf8'))).toEqual(sorted(original));

    const again = await home.cli(['contracts', 'import', file, '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${out} exists; choose another --out`);
  });

  it('refuses an unknown contract, an unknown format and an ODCS document it cannot map, with the line', async () => {
    const unknown = await home.cli(['contracts', 'export', 'nope', '--format', 'odcs']);
    expect([unknown.code, unknown.stderr]).toEqual([1, "error: contract 'nope' is not registered\n"]);
    const csv = await home.cli(['contracts', 'export', 'card_transactions', '--format', 'csv']);
    expect(csv.code).toBe(1);
    expect(csv.stderr).toMatch(/Allowed choices are odcs/);
    const example = join(REPO, 'test/fixtures/odcs/examples/database-table-sla.odcs.yaml');
    const refused = await home.cli(['contracts', 'import', example]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error: ${example}:8:9 /schema: the document describes no table (schema is empty): a Tidemark contract is the columns of one table\n`,
    );
    const broken = join(home.dataDir, 'broken.odcs.yaml');
    writeFileSync(broken, 'apiVersion: v9\nkind: DataContract\n');
    const invalid = await home.cli(['contracts', 'import', broken]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain(
      `${broken}:1:13 /apiVersion: not a valid ODCS v3.1.0 document: must be one of`,
    );
  });
});
