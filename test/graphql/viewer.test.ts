/**
 * viewer: the caller's role and name, so a client (the console) hides what the role
 * cannot do. With keys required each key answers its own role; anonymous development
 * access answers what the gate grants it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { startServer } from '../support/graphql';
import { keyedServer, type KeyedServer } from '../auth/keyed-server';

const VIEWER = 'query { viewer { actor role keyId } }';

describe(`viewer (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: KeyedServer | null = null;
  beforeEach(async () => {
    rt = await createTestRuntime();
  });
  afterEach(async () => {
    await s?.close();
    s = null;
    await rt.dispose();
  });

  it('answers each key its own role, owner and id', async () => {
    s = await keyedServer(rt);
    for (const role of ['reader', 'writer', 'admin'] as const) {
      const key = await s.key(role, `${role}-person`);
      const res = await s.post(VIEWER, key.secret);
      expect(res.status).toBe(200);
      expect(res.body.data.viewer).toEqual({
        actor: expect.stringContaining(`${role}-person`),
        role,
        keyId: key.id,
      });
    }
    // Without a key the server asks for one rather than answering a viewer.
    expect((await s.post(VIEWER, null)).status).toBe(401);
  });

  it('answers anonymous development access with its role and no key', async () => {
    const open = await startServer(rt);
    try {
      const { viewer } = await open.ok(VIEWER);
      expect(viewer.keyId).toBeNull();
      expect(['reader', 'writer', 'admin']).toContain(viewer.role);
      expect(viewer.actor).toMatch(/anonymous/);
    } finally {
      await open.close();
    }
  });
});
