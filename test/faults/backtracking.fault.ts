/**
 * Fault: patterns built to backtrack (issue 14.4), on SQLite and on PostgreSQL, with a
 * /healthz probe beside that fails the test when any answer takes longer than 1 s. A
 * column `pattern` `^(a+)+$`, a `match_regex` `^(a|a)*$` and an expression's
 * `~= "(a+)+$"` meet 2,000 values of 40 `a`s and a `!`: on a backtracking engine each
 * match took 10–22 s, blocking the server. On RE2 the run is over in seconds; a pattern
 * RE2 cannot run (a backreference) is refused when the contract is applied.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, ENGINES, observe, type Workspace } from './support/workspace';
import { codes, gql, gqlOk } from './support/client';
import type { Instance } from './support/instance';
import { besideProbe, expectResponsive, probed } from './support/healthz-probe';

const FAULT = 'backtracking patterns';
const EVIL = 'a'.repeat(40) + '!';
const RECORDS = 2_000;

const contract = (code: string) => `name: patterns
version: 1.0.0
owner: faults
entity: { name: sensor, key: [sensor] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: sensor, type: string, required: true }
  - { name: code, type: string, pattern: "${code}" }
  - { name: label, type: string }
expectations:
  - { expect: match_regex, column: label, regex: "^(a|a)*$", severity: warn }
features:
  - { name: code, column: code }
  - { name: evil, expr: 'label ~= "(a+)+$"' }
`;

const APPLY = 'mutation($y: String!) { applyContract(yaml: $y) { status } }';
const INGEST = `mutation($r: [JSON!]!) { ingest(contract: "patterns", records: $r) {
  status rowsRead rowsWritten rowsRejected validation { results { expect success unexpectedCount } } } }`;

describe.each(ENGINES)(`${FAULT} (%s)`, (engine) => {
  let ws: Workspace;
  let a: Instance;

  beforeAll(async () => {
    ws = await createWorkspace(`regex-${engine}`);
    a = await ws.start('a', { engine });
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await ws?.diagnose();
  });
  afterAll(async () => {
    await ws?.dispose();
  });

  it('pattern, match_regex and ~= on 2,000 hostile values → linear time, /healthz within 1 s; a backreference is refused', async () => {
    // Every other record's code breaks the column pattern (a reject); every label is hostile.
    const records = Array.from({ length: RECORDS }, (_, i) => ({
      ts: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
      sensor: `s-${i % 5}`,
      code: i % 2 ? EVIL : 'aaaa',
      label: EVIL,
    }));
    const { out, probe } = await besideProbe(a.baseUrl, async () => ({
      refused: await gql(a.graphqlUrl, APPLY, { y: contract('^(a)\\\\1$') }),
      apply: await gql(a.graphqlUrl, APPLY, { y: contract('^(a+)+$') }),
      ingest: await gql(a.graphqlUrl, INGEST, { r: records }, { timeoutMs: 170_000 }),
    }));
    expect(codes(out.refused)).toEqual(['BAD_USER_INPUT']);
    expect(out.refused.errors![0]!.message).toMatch(
      /\/schema\/2\/pattern: backreferences \(\\1\) are not supported/,
    );
    expect(out.apply.data?.applyContract.status).toBe('registered');
    const run = out.ingest.data?.ingest;
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      rowsRead: RECORDS,
      rowsWritten: RECORDS / 2,
      rowsRejected: RECORDS / 2,
    });
    const regex = run.validation.results.find((r: { expect: string }) => r.expect === 'match_regex');
    expect(regex).toEqual({ expect: 'match_regex', success: false, unexpectedCount: RECORDS });
    expectResponsive(probe);
    const [v] = (
      await gqlOk(a.graphqlUrl, '{ features(contract: "patterns", entities: ["s-0"]) { values } }')
    ).features;
    expect(v.values).toEqual({ code: 'aaaa', evil: false });
    observe(
      FAULT,
      `${engine}: column \`pattern\` \`^(a+)+$\`, \`match_regex\` \`^(a|a)*$\` and \`~= "(a+)+$"\` over ${RECORDS.toLocaleString('en')} ingested values of 40 \`a\`s and \`!\`; a contract with the backreference \`^(a)\\1$\``,
      `the run SUCCEEDED in ${(out.ingest.ms / 1000).toFixed(1)} s: ${RECORDS / 2} rows rejected by the pattern, match_regex unsuccessful on all ${RECORDS}, \`evil\` false; the backreference BAD_USER_INPUT ("/schema/2/pattern: backreferences (\\1) are not supported …"); ${probed(probe)}`,
    );
  });
});
