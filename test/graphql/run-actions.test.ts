/**
 * Run.rollbackPreview over GraphQL: a reader may ask what a rollback would change
 * (asking changes nothing), though only an admin may roll back.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { keyedServer, PUSH_CONTRACT, type KeyedServer } from '../auth/keyed-server';

const PREVIEW = `query($id: ID!) { run(id: $id) { status rollbackPreview { allowed refusal rowsHidden reprocessed { id } } } }`;

describe(`Run.rollbackPreview (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: KeyedServer;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [PUSH_CONTRACT] });
    s = await keyedServer(rt);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  it('tells a reader what a rollback would hide, and the reader is still refused the rollback', async () => {
    const run = await rt.runs.ingest({
      contract: 'pings',
      environment: 'dev',
      records: [
        { ts: '2024-01-01T00:00:00Z', device: 'a', n: 1 },
        { ts: '2024-01-01T00:00:00Z', device: 'b', n: 2 },
      ],
      actor: 'test',
    });
    const reader = await s.key('reader');
    const asked = await s.post(PREVIEW, reader.secret, { id: run.id });
    expect(asked.body.data.run).toEqual({
      status: 'SUCCEEDED',
      rollbackPreview: { allowed: true, refusal: null, rowsHidden: 2, reprocessed: [] },
    });
    const refused = await s.post('mutation($id: ID!) { rollbackRun(id: $id) { status } }', reader.secret, {
      id: run.id,
    });
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(refused.body.errors[0].message).toMatch(/has role reader; this operation needs admin/);

    const admin = await s.key('admin');
    await s.post('mutation($id: ID!) { rollbackRun(id: $id) { status } }', admin.secret, { id: run.id });
    const again = (await s.post(PREVIEW, reader.secret, { id: run.id })).body.data.run;
    expect(again.status).toBe('ROLLED_BACK');
    expect(again.rollbackPreview).toMatchObject({ allowed: false, rowsHidden: 0 });
    expect(again.rollbackPreview.refusal).toMatch(/is rolled_back already/);
  });
});
