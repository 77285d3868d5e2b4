/**
 * What a caller may read, by role (issue 14.3, 14.19, 14.20):
 * - /metrics and /readyz name contracts and the code version: where keys are required
 *   they need a key (any role); /healthz stays public and says only "ok";
 * - `run.error` is plain for every reader; the internal text a run failed with is in
 *   `errorDetail`, for admins only;
 * - audit entries about API keys (ids, owners, roles) are for admins only.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { keyedServer, PUSH_CONTRACT, type KeyedServer } from './keyed-server';

const INGEST = 'mutation($r: [JSON!]!) { ingest(contract: "pings", records: $r) { id status } }';
const RECORDS = [{ ts: '2024-01-01T00:00:00Z', device: 'd1', n: 1 }];
/**
 * What a driver says when its disk fails mid-commit: internal text, not for readers. (A
 * full disk is worded by Tidemark itself, "disk full: …": test/graphql/disk-full.test.ts.)
 */
const INTERNAL = 'COMMIT; - SQLITE_IOERR: disk I/O error';

describe(`what each role may read (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: KeyedServer | null = null;
  let failWrites = false;

  beforeEach(async () => {
    failWrites = false;
    rt = await createTestRuntime({
      contracts: [PUSH_CONTRACT],
      writeHook: (stage) => {
        if (failWrites && stage === 'run') throw new Error(INTERNAL);
      },
    });
    s = await keyedServer(rt);
  });
  afterEach(async () => {
    await s?.close();
    s = null;
    await rt.dispose();
  });

  it('/metrics and /readyz need a key where keys are required; /healthz says only ok', async () => {
    const reader = await s!.key('reader');
    for (const path of ['/metrics', '/readyz']) {
      const none = await s!.get(path, null);
      expect(none.status, path).toBe(401);
      expect(JSON.stringify(none.body)).not.toMatch(/pings|codeVersion|tidemark_/);
      expect((await s!.get(path, 'tmk_nope')).status).toBe(401);
      expect((await s!.get(path, reader.secret)).status, path).toBe(200);
    }
    expect((await s!.get('/metrics', reader.secret)).body).toContain('tidemark_runs_total');
    const health = await s!.get('/healthz', null);
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
  });

  it('on loopback development mode /metrics and /readyz stay open', async () => {
    const dev = await keyedServer(rt, { authMode: 'loopback-anonymous' });
    try {
      expect((await dev.get('/metrics', null)).status).toBe(200);
      expect((await dev.get('/readyz', null)).status).toBe(200);
    } finally {
      await dev.close();
    }
  });

  it('a run that failed inside Tidemark shows readers a plain error; errorDetail is for admins', async () => {
    const reader = await s!.key('reader');
    const admin = await s!.key('admin');
    failWrites = true;
    const ingest = await s!.post(INGEST, admin.secret, { r: RECORDS });
    expect(ingest.body.data.ingest.status).toBe('FAILED');
    const query = '{ runs(first: 1) { nodes { status error errorKind } } }';
    const seen = await s!.post(query, reader.secret);
    const run = seen.body.data.runs.nodes[0];
    expect(run.status).toBe('FAILED');
    expect(run.errorKind).toBe('transient');
    expect(run.error).toMatch(/^internal error \(transient\)/);
    expect(JSON.stringify(seen.body)).not.toContain('SQLITE_IOERR');

    const detail = '{ runs(first: 1) { nodes { error errorDetail } } }';
    // Twice: the second answer comes from the fast path for repeated queries (fast-execution.ts).
    for (let i = 0; i < 2; i++) {
      const refused = await s!.post(detail, reader.secret);
      expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect(refused.body.data.runs.nodes[0].errorDetail).toBeNull();
    }
    const granted = await s!.post(detail, admin.secret);
    expect(granted.body.errors).toBeUndefined();
    expect(granted.body.data.runs.nodes[0].errorDetail).toBe(INTERNAL);
  });

  it('keeps the words of a validation failure for every reader', async () => {
    await rt.apply(
      PUSH_CONTRACT.replace('name: pings', 'name: gauges').replace(
        'expectations: []',
        'expectations:\n  - { expect: row_count_between, min: 5, max: 100, severity: fail }',
      ),
    );
    const reader = await s!.key('reader');
    const admin = await s!.key('admin');
    const ingest = await s!.post(INGEST.replace('"pings"', '"gauges"'), admin.secret, { r: RECORDS });
    expect(ingest.body.data.ingest.status).toBe('FAILED');
    const run = (await s!.post('{ runs(first: 1) { nodes { error errorKind } } }', reader.secret)).body.data
      .runs.nodes[0];
    expect(run.errorKind).toBe('validation');
    expect(run.error).toMatch(/^validation failed: row_count_between/);
    const detail = (await s!.post('{ runs(first: 1) { nodes { errorDetail } } }', admin.secret)).body.data
      .runs.nodes[0].errorDetail;
    expect(run.error).toBe(detail);
  });

  it('shows audit entries about API keys to admins only', async () => {
    const reader = await s!.key('reader', 'alice');
    const admin = await s!.key('admin', 'ops');
    await rt.keys.revoke((await s!.key('writer', 'bob')).id, 'tests');
    const query = '{ auditLog(first: 100) { action targetKind targetId after details } }';

    const forReader = await s!.post(query, reader.secret);
    expect(forReader.body.errors).toBeUndefined();
    const kinds = forReader.body.data.auditLog.map((e: { targetKind: string }) => e.targetKind);
    expect(kinds).not.toContain('api_key');
    expect(kinds).toContain('contract'); // the rest of the trail is still theirs to read
    expect(JSON.stringify(forReader.body)).not.toMatch(/alice|bob|ops/);

    const asked = await s!.post('{ auditLog(targetKind: "api_key") { targetId } }', reader.secret);
    expect(asked.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(asked.body.errors[0].message).toMatch(/need admin/);

    const forAdmin = await s!.post(query, admin.secret);
    const keyEvents = forAdmin.body.data.auditLog.filter(
      (e: { targetKind: string }) => e.targetKind === 'api_key',
    );
    expect(keyEvents.map((e: { action: string }) => e.action).sort()).toEqual([
      'key.create',
      'key.create',
      'key.create',
      'key.revoke',
    ]);
  });
});
