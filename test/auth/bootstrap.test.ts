/**
 * Issue 13.12: the first admin key of a deployment where keys are required, from
 * TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH (made by `tidemark keys bootstrap`): created once,
 * when no admin key exists, audited, and never again (not over an existing admin, not
 * back after its revocation).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { InputError } from '../../src/errors';
import { bootstrapAdmin, newBootstrapKey, BOOTSTRAP_ACTOR } from '../../src/auth/bootstrap';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';

const fromEnv = (value: string) => loadConfig({ TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH: value }).bootstrapAdminKey;

describe('TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH', () => {
  it('reads <id>:<sha256> as printed by `tidemark keys bootstrap`; empty is unset', () => {
    const made = newBootstrapKey();
    const key = fromEnv(made.value)!;
    expect(made.token.startsWith(`tmk_${key.id}_`)).toBe(true);
    expect(key.secretSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fromEnv('')).toBeNull();
    expect(loadConfig({}).bootstrapAdminKey).toBeNull();
  });

  it('refuses anything else, naming the variable and the command that makes it', () => {
    for (const bad of [
      'abc',
      'tmk_abcdefabcdef_x',
      `ABCDEFABCDEF:${'0'.repeat(64)}`,
      `abcdefabcdef:${'0'.repeat(63)}`,
    ]) {
      expect(() => fromEnv(bad)).toThrow(InputError);
      expect(() => fromEnv(bad)).toThrow(/TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH .*tidemark keys bootstrap/);
    }
  });
});

describe(`bootstrapAdmin (${testEngine()})`, () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await createTestRuntime();
  });
  afterEach(() => rt.dispose());

  it('creates the admin key once when none exists, audited; the key then authenticates', async () => {
    const made = newBootstrapKey();
    const key = fromEnv(made.value)!;
    expect(await bootstrapAdmin(rt, key)).toBe('created');
    expect(await rt.keys.authenticate(made.token)).toEqual({
      actor: 'key:bootstrap',
      role: 'admin',
      keyId: key.id,
    });
    const audit = await rt.store.audit.list({ targetKind: 'api_key' });
    expect(audit).toMatchObject([
      {
        actor: BOOTSTRAP_ACTOR,
        action: 'key.create',
        targetId: key.id,
        after: { owner: 'bootstrap', role: 'admin' },
      },
    ]);
    // A restart with the same variable changes nothing.
    expect(await bootstrapAdmin(rt, key)).toBe('id-exists');
    expect(await rt.keys.list()).toHaveLength(1);
  });

  it('does nothing when an admin key exists already', async () => {
    await rt.keys.create('ops', 'admin', 'tests');
    const key = fromEnv(newBootstrapKey().value)!;
    expect(await bootstrapAdmin(rt, key)).toBe('admin-exists');
    expect((await rt.keys.list()).map((k) => k.owner)).toEqual(['ops']);
  });

  it('does not bring a revoked bootstrap key back on restart', async () => {
    const made = newBootstrapKey();
    const key = fromEnv(made.value)!;
    await bootstrapAdmin(rt, key);
    await rt.keys.revoke(key.id, 'tests');
    expect(await bootstrapAdmin(rt, key)).toBe('id-exists');
    await expect(rt.keys.authenticate(made.token)).rejects.toThrow(/revoked/);
  });

  it('counts a revoked admin as none: a deployment whose only admin left can bootstrap a new one', async () => {
    const old = await rt.keys.create('leaver', 'admin', 'tests');
    await rt.keys.revoke(old.key.id, 'tests');
    await rt.keys.create('analyst', 'reader', 'tests');
    expect(await bootstrapAdmin(rt, fromEnv(newBootstrapKey().value)!)).toBe('created');
  });
});
