/**
 * `tidemark features` reads a two-part key the way the store wrote it: an empty part
 * (with `nullValues: []`) and a nullable part given as null. On the PostgreSQL leg the
 * commands use a database of their own (DATABASE_URL), created and dropped here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import knex from 'knex';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCliHome, type CliHome } from '../support/cli';
import { testEngine } from '../support/engine';

/** A fresh PostgreSQL database for the child processes; undefined on SQLite. */
async function pgDatabase(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  if (testEngine() !== 'postgres') return undefined;
  const admin = process.env.TEST_DATABASE_URL!;
  const name = `tidemark_cli_${process.pid}_${Date.now()}`;
  const run = async (sql: string) => {
    const k = knex({ client: 'pg', connection: admin });
    try {
      await k.raw(sql);
    } finally {
      await k.destroy();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

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

describe(`tidemark features with a two-part key (${testEngine()})`, () => {
  let home: CliHome;
  let pg: Awaited<ReturnType<typeof pgDatabase>>;
  beforeEach(async () => {
    home = await createCliHome();
    pg = await pgDatabase();
    if (pg) home.env.DATABASE_URL = pg.url;
  });
  afterEach(async () => {
    await home.dispose();
    await pg?.drop();
  });

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
    if (pg) {
      // The commands really wrote to PostgreSQL, not to a SQLite file beside them.
      const k = knex({ client: 'pg', connection: pg.url });
      const runs = await k('runs')
        .count({ n: '*' })
        .finally(() => k.destroy());
      expect(Number(runs[0]!.n)).toBeGreaterThanOrEqual(2);
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
