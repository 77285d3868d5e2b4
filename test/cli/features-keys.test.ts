/**
 * `tidemark features` reads a two-part key the way the store wrote it: an empty part
 * (with `nullValues: []`) and a nullable part given as null.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCliHome, type CliHome } from '../support/cli';

const contract = (name: string, entity: string, nullValues: string, province: string) => `
name: ${name}
version: 1.0.0
owner: tests
entity: ${entity}
eventTime: d
source: { type: jsonl, path: ${name}/*.jsonl${nullValues} }
schema:
  - { name: d, type: date, required: true }
  - { name: country, type: string, required: true }
  - { name: province, type: string${province} }
  - { name: n, type: integer }
expectations: []
features:
  - { name: n, column: n }
`;

describe('tidemark features with a two-part key', () => {
  let home: CliHome;
  beforeEach(() => void (home = createCliHome()));
  afterEach(() => home.dispose());

  const write = (name: string, yaml: string, rows: unknown[]) => {
    writeFileSync(join(home.contractsDir, `${name}.yaml`), yaml);
    const dir = join(home.dataDir, 'landing', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  };

  it('finds an empty part and a null part', async () => {
    write(
      'regions',
      contract('regions', '{ name: r, key: [country, province] }', ', nullValues: []', ', required: true'),
      [{ d: '2021-01-01', country: 'France', province: '', n: 5 }],
    );
    write(
      'regions_n',
      contract('regions_n', '{ name: r, key: [country, province], nullable: [province] }', '', ''),
      [{ d: '2021-01-01', country: 'France', n: 7 }],
    );
    expect((await home.cli(['contracts', 'apply'])).code).toBe(0);
    for (const name of ['regions', 'regions_n']) {
      const r = await home.cli(['run', name]);
      expect(r.code, r.stderr).toBe(0);
    }
    const empty = await home.cli(['features', 'regions', '--entity', '{"country":"France","province":""}']);
    expect(empty.code, empty.stderr).toBe(0);
    expect(JSON.parse(empty.stdout)).toMatchObject([
      { entity: { country: 'France', province: '' }, values: { n: 5 } },
    ]);
    const none = await home.cli([
      'features',
      'regions_n',
      '--entity',
      '{"country":"France","province":null}',
    ]);
    expect(none.code, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout)).toMatchObject([
      { entity: { country: 'France', province: null }, values: { n: 7 } },
    ]);
    const missing = await home.cli(['features', 'regions', '--entity', '{"country":"France"}']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toContain('entity key needs columns country, province; missing province');
  }, 60_000);
});
