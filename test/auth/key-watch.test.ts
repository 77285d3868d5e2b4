/**
 * KeyWatch on its own: which key states refuse a connection, one query per sweep for
 * all watched connections, and a database that does not answer leaves them open.
 */
import { describe, expect, it } from 'vitest';
import { KeyWatch, keyVerdict, type KeyState } from '../../src/auth/key-watch';
import type { Principal } from '../../src/domain/role';

const reader = (keyId: string): Principal => ({ actor: `key:${keyId}`, role: 'reader', keyId });
const state = (id: string, over: Partial<KeyState> = {}): KeyState => ({
  id,
  role: 'reader',
  revokedAt: null,
  ...over,
});
const quiet = { warn: () => undefined };

describe('keyVerdict', () => {
  it('lets a live key with its role go on, refuses a revoked, missing or changed one', () => {
    expect(keyVerdict(reader('k1'), state('k1'))).toBeNull();
    expect(keyVerdict(reader('k1'), state('k1', { revokedAt: 5 }))).toBe('the API key was revoked');
    expect(keyVerdict(reader('k1'), undefined)).toBe('the API key no longer exists');
    expect(keyVerdict(reader('k1'), state('k1', { role: 'admin' }))).toMatch(/role changed to admin/);
    expect(keyVerdict({ actor: 'anonymous', role: 'admin', keyId: null }, undefined)).toBeNull();
  });
});

describe('KeyWatch', () => {
  it('reads every watched key in one query per sweep and tells only the refused connections', async () => {
    const queries: string[][] = [];
    const db = new Map([
      ['k1', state('k1')],
      ['k2', state('k2')],
    ]);
    const watch = new KeyWatch({
      keys: {
        states: async (ids) => (queries.push(ids), ids.flatMap((id) => (db.has(id) ? [db.get(id)!] : []))),
      },
      intervalMs: 600_000,
      maxAgeMs: 600_000,
      logger: quiet,
    });
    const refused: string[] = [];
    watch.watch(reader('k1'), (r) => refused.push(`a:${r}`));
    watch.watch(reader('k1'), (r) => refused.push(`b:${r}`));
    watch.watch(reader('k2'), (r) => refused.push(`c:${r}`));
    await watch.sweep();
    expect(refused).toEqual([]);
    db.set('k1', state('k1', { revokedAt: 1 }));
    await watch.sweep();
    expect(refused).toEqual(['a:the API key was revoked', 'b:the API key was revoked']);
    await watch.sweep(); // told once: refused connections are no longer watched
    expect(refused).toHaveLength(2);
    expect(queries).toEqual([['k1', 'k2'], ['k1', 'k2'], ['k2']]);
    watch.stop();
  });

  it('keeps connections open when the database does not answer, and says so', async () => {
    const warnings: string[] = [];
    const watch = new KeyWatch({
      keys: {
        states: async () => {
          throw new Error('connect ECONNREFUSED');
        },
      },
      intervalMs: 600_000,
      maxAgeMs: 0,
      logger: { warn: (_o: unknown, msg?: string) => void warnings.push(String(msg)) },
    });
    const refused: string[] = [];
    watch.watch(reader('k1'), (r) => refused.push(r));
    await watch.sweep();
    expect(refused).toEqual([]);
    expect(warnings).toEqual(['API keys of live connections not re-checked: the database did not answer']);
    await expect(watch.check(reader('k1'))).rejects.toThrow(/ECONNREFUSED/);
    watch.stop();
  });

  it('answers an operation from a recent reading, and from the database when asked for a fresh one', async () => {
    let reads = 0;
    const watch = new KeyWatch({
      keys: { states: async (ids) => (reads++, ids.map((id) => state(id))) },
      intervalMs: 600_000,
      maxAgeMs: 600_000,
      logger: quiet,
    });
    expect(await watch.check(reader('k1'))).toBeNull();
    expect(await watch.check(reader('k1'))).toBeNull();
    expect(reads).toBe(1);
    expect(await watch.check(reader('k1'), true)).toBeNull();
    expect(reads).toBe(2);
    watch.stop();
  });
});
