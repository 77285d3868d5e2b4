/**
 * viewer: who is calling and with which role, so the console shows only the actions a
 * key may take (the server still checks every call).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { startServer, type TestServer } from '../support/graphql';
import { keyedServer, PUSH_CONTRACT, type KeyedServer } from '../auth/keyed-server';

const VIEWER = '{ viewer { actor role roles keyId } }';

describe(`viewer (${testEngine()})`, () => {
  let rt: TestRuntime;
  let open: TestServer;
  let keyed: KeyedServer;

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [PUSH_CONTRACT] });
    open = await startServer(rt);
    keyed = await keyedServer(rt);
  });
  afterAll(async () => {
    await keyed?.close();
    await open?.close();
    await rt?.dispose();
  });

  it('is an anonymous admin where keys are not required', async () => {
    expect((await open.ok(VIEWER)).viewer).toEqual({
      actor: 'anonymous',
      role: 'admin',
      roles: ['admin', 'writer', 'reader'],
      keyId: null,
    });
  });

  it("is the key's owner and role where keys are required", async () => {
    for (const [role, roles] of [
      ['reader', ['reader']],
      ['writer', ['writer', 'reader']],
      ['admin', ['admin', 'writer', 'reader']],
    ] as const) {
      const key = await keyed.key(role, `${role}-bot`);
      const res = await keyed.post(VIEWER, key.secret);
      expect(res.body.data.viewer).toMatchObject({ role, roles, keyId: key.id });
      expect(res.body.data.viewer.actor).toContain(`${role}-bot`);
    }
    expect((await keyed.post(VIEWER, null)).status).toBe(401);
  });
});
