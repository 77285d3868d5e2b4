/**
 * One instance with keys required (TIDEMARK_AUTH=required), keys of every role made
 * with the CLI (one of them revoked), and some data in the store, for the hostile-input
 * tests: every request must be refused and `nothingStored` proves the store unchanged
 * (row counts of runs, raw batches, feature rows, rejects, lineage, audit log and
 * contract versions, and the files of the raw store).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createWorkspace, type Workspace } from './workspace';
import { metersContract, metersCsv, pushContract, pushRecords } from './data';
import { codes, gql, gqlOk, type GqlResult } from './client';
import type { Instance } from './instance';

export const SQL = "'; DROP TABLE feature_rows; --";
/** src/graphql/limits.ts, as a client sees them. */
export const LIMITS = {
  body: 16 * 1024 * 1024,
  entities: 1_000,
  records: 10_000,
  depth: 10,
  complexity: 5_000,
};

export interface Guarded {
  ws: Workspace;
  a: Instance;
  key: { admin: string; writer: string; reader: string; revoked: string };
  /** As the admin unless told otherwise; `null`: without any key. */
  call(
    query: string,
    variables?: Record<string, unknown>,
    as?: string | null,
    rawBody?: string | Buffer,
  ): Promise<GqlResult>;
  /** Runs `fn` and asserts the store is exactly as before. */
  nothingStored<T>(fn: () => Promise<T>): Promise<T>;
}

/** `200 BAD_USER_INPUT`: status and codes, for the report. */
export const brief = (r: GqlResult) => `${r.status} ${codes(r).join(',') || 'ok'}`;

export async function openGuarded(label: string): Promise<Guarded> {
  const ws = await createWorkspace(label);
  ws.addContract('meters.yaml', metersContract('meters', 'meters'));
  ws.addContract('pings.yaml', pushContract('pings'));
  const a = await ws.start('a', { env: { TIDEMARK_AUTH: 'required' } });
  const [admin, writer, reader, revoked] = await Promise.all([
    ws.createKey('ops', 'admin'),
    ws.createKey('pipeline', 'writer'),
    ws.createKey('analyst', 'reader'),
    ws.createKey('leaver', 'admin'),
  ]);
  const key = { admin: admin!, writer: writer!, reader: reader!, revoked: revoked! };
  const revoke = await ws.cli(['keys', 'revoke', /^tmk_([a-z0-9]+)_/.exec(key.revoked)![1]!]);
  expect(revoke.code, revoke.stderr).toBe(0);
  // Something in the store to protect: one CSV run (200 rows, 5 rejected) and one ingest (10 records).
  ws.land('meters/one.csv', metersCsv({ rows: 200, entities: 10, rejectEvery: 40 }));
  const run = await gqlOk(
    a.graphqlUrl,
    'mutation { triggerRun(contract: "meters") { status } }',
    {},
    { key: key.writer },
  );
  expect(run.triggerRun.status).toBe('SUCCEEDED');
  const ingest = await gqlOk(
    a.graphqlUrl,
    'mutation($r: [JSON!]!) { ingest(contract: "pings", records: $r) { status } }',
    { r: pushRecords('s', 10, 1) },
    { key: key.writer },
  );
  expect(ingest.ingest.status).toBe('SUCCEEDED');

  const snapshot = async () => ({
    ...(await ws.db.counts()),
    rawFiles: readdirSync(join(ws.dataDir, 'raw'), { recursive: true }).length,
  });
  return {
    ws,
    a,
    key,
    call: (query, variables, as = key.admin, rawBody) =>
      gql(a.graphqlUrl, query, variables, { key: as ?? undefined, rawBody, timeoutMs: 30_000 }),
    nothingStored: async (fn) => {
      const before = await snapshot();
      const out = await fn();
      expect(await snapshot()).toEqual(before);
      return out;
    },
  };
}
