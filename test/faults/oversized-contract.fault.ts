/**
 * Fault: oversized contracts (issue 14.7), on SQLite and on PostgreSQL, with a /healthz
 * probe beside every request that fails the test when any answer takes longer than 1 s.
 * A 5,000-feature contract (it once made a 10,000-record ingest take 66.6 s at 2.5 GB,
 * /healthz blocked up to 36.8 s) and a mapping of 12,000 keys (yaml's duplicate-key
 * check was quadratic) are refused at once, naming the bound or the duplicate; a
 * contract at every bound (src/contracts/limits.ts) is applied and ingests 10,000
 * records while the server keeps answering.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ENGINES, observe, type Workspace } from './support/workspace';
import { codes, gql, gqlOk, type GqlResult } from './support/client';
import type { Instance } from './support/instance';
import { besideProbe, expectResponsive, probed } from './support/healthz-probe';
import { extraColumns, MAX_SIZE, sizedContract } from '../fixtures/contracts/sized';

const FAULT = 'oversized contract';
const APPLY = 'mutation($y: String!) { applyContract(yaml: $y) { status } }';
const INGEST =
  'mutation($r: [JSON!]!) { ingest(contract: "widest", records: $r) { status rowsRead rowsWritten error } }';
const RECORDS = 10_000;
/** Columns each record fills besides ts, sensor and value (the request stays under 16 MiB). */
const FILLED = 20;

/** The issue's contract: 5,000 features, each computed for every row. */
function fiveThousandFeatures(): string {
  const features = Array.from({ length: 5_000 }, (_, i) =>
    i % 2 ? `  - { name: f${i}, column: value }` : `  - { name: f${i}, expr: "value * ${i}" }`,
  );
  return sizedContract('wide', { columns: 3, expectations: 0, features: 1, filters: 0 }).replace(
    /features:\n.*\n/,
    `features:\n${features.join('\n')}\n`,
  );
}

/** 12,000 links and one key repeated at the end. */
function manyKeys(): string {
  const links = Array.from({ length: 12_000 }, (_, i) => `  k${i}: v`).join('\n');
  return `${sizedContract('keys', { columns: 3, expectations: 0, features: 1, filters: 0 })}links:\n${links}\n  k17: again\n`;
}

function records(): Array<Record<string, unknown>> {
  const cols = extraColumns(MAX_SIZE).slice(0, FILLED);
  const start = Date.UTC(2024, 0, 1);
  return Array.from({ length: RECORDS }, (_, i) => {
    const r: Record<string, unknown> = {
      ts: new Date(start + i * 1000).toISOString(),
      sensor: `s-${i % 5}`,
      value: i,
    };
    cols.forEach((c, k) => (r[c] = (i + k) % 11));
    return r;
  });
}

const brief = (r: GqlResult) => `${r.status} ${codes(r).join(',') || 'ok'}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe.each(ENGINES)(`${FAULT} (%s)`, (engine) => {
  let ws: Workspace;
  let a: Instance;
  const report = (tried: string, observed: string) => observe(FAULT, `${engine}: ${tried}`, observed);

  beforeAll(async () => {
    ws = await createWorkspace(`oversized-${engine}`);
    a = await ws.start('a', { engine });
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await ws?.diagnose();
  });
  afterAll(async () => {
    await ws?.dispose();
  });

  it('5,000 features and 12,000 keys → refused at once naming the bound or the duplicate; lint says the same', async () => {
    const wide = fiveThousandFeatures();
    const keys = manyKeys();
    const { out, probe } = await besideProbe(a.baseUrl, async () => ({
      wide: await gql(a.graphqlUrl, APPLY, { y: wide }, { timeoutMs: 60_000 }),
      keys: await gql(a.graphqlUrl, APPLY, { y: keys }, { timeoutMs: 60_000 }),
    }));
    expect(codes(out.wide)).toEqual(['BAD_USER_INPUT']);
    expect(out.wide.errors![0]!.message).toMatch(
      /^applyContract\.yaml:\d+:1 \/features: 5000 features; the limit is 500 \(every feature is computed and stored for every row, so a run's time and memory grow with features × rows\)$/,
    );
    expect(codes(out.keys)).toEqual(['BAD_USER_INPUT']);
    expect(out.keys.errors![0]!.message).toMatch(/:\d+:3 \/: key 'k17' appears twice in the same mapping$/);
    expectResponsive(probe);
    const file = join(ws.root, 'wide.yaml');
    writeFileSync(file, wide);
    const lint = await ws.cli(['contracts', 'lint', file]);
    expect(lint.code).toBe(1);
    expect(lint.stderr).toContain('/features: 5000 features; the limit is 500');
    const listed = await gqlOk(a.graphqlUrl, '{ contracts { name } }');
    expect(listed.contracts).toEqual([]);
    report(
      `applyContract of a ${Math.round(wide.length / 1024)} KB contract with 5,000 features; of one with a 12,000-key mapping and a duplicate key; \`contracts lint\` of the first`,
      `${brief(out.wide)} in ${out.wide.ms} ms ("/features: 5000 features; the limit is 500 (every feature is computed and stored for every row, …)"); ${brief(out.keys)} in ${out.keys.ms} ms ("key 'k17' appears twice"); lint exit 1 with the same words; nothing registered; ${probed(probe)}`,
    );
  });

  it('a contract at every bound: applied, then 10,000 records ingested, /healthz within 1 s throughout', async () => {
    const widest = sizedContract('widest', MAX_SIZE);
    const rs = records();
    const { out, probe } = await besideProbe(a.baseUrl, async () => {
      const apply = await gql(a.graphqlUrl, APPLY, { y: widest }, { timeoutMs: 60_000 });
      const ingest = await gql(a.graphqlUrl, INGEST, { r: rs }, { timeoutMs: 170_000 });
      return { apply, ingest };
    });
    expect(out.apply.errors).toBeUndefined();
    expect(out.apply.data.applyContract.status).toBe('registered');
    expect(out.ingest.errors).toBeUndefined();
    expect(out.ingest.data.ingest).toEqual({
      status: 'SUCCEEDED',
      rowsRead: RECORDS,
      rowsWritten: RECORDS,
      error: null,
    });
    expectResponsive(probe);
    const [m] = (await gqlOk(a.graphqlUrl, '{ features(contract: "widest", entities: ["s-3"]) { values } }'))
      .features;
    expect(Object.keys(m.values)).toHaveLength(MAX_SIZE.features);
    report(
      `applyContract of a contract at every bound (${MAX_SIZE.columns} schema columns, ${MAX_SIZE.expectations} expectations with regexes and medians, ${MAX_SIZE.features} features with windows and expressions, ${MAX_SIZE.filters} filters; ${Math.round(widest.length / 1024)} KB), then ingest of ${RECORDS.toLocaleString('en')} records filling ${FILLED + 3} columns`,
      `registered in ${out.apply.ms} ms; the ingest SUCCEEDED in ${seconds(out.ingest.ms)} (${RECORDS.toLocaleString('en')} rows of ${MAX_SIZE.features} features written); ${probed(probe)}`,
    );
  });
});
