import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { T0 } from '../support/fixtures';
import { Store } from '../../src/store/store';
import type { AuditEntry } from '../../src/store/audit.repository';

type NewEntry = Omit<AuditEntry, 'id'>;

function entry(overrides: Partial<NewEntry> = {}): NewEntry {
  return {
    at: T0,
    actor: 'alice',
    action: 'apply',
    targetKind: 'contract',
    targetId: 'country_daily@1.0.0',
    environment: null,
    before: null,
    after: null,
    details: null,
    ...overrides,
  };
}

describe(`AuditRepository (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  beforeEach(async () => {
    db = await createTestDb();
    store = new Store(db);
  });
  afterEach(() => db.dispose());

  it('lists entries newest first, JSON before/after/details intact', async () => {
    const entries = [
      entry({ action: 'apply', after: { version: '1.0.0', owner: 'epi' } }),
      entry({
        at: Date.UTC(2031, 0, 1),
        action: 'promote',
        environment: 'prod',
        before: { state: 'active', versions: ['1.0.0'] },
        after: { state: 'active', versions: ['1.0.0', '2.0.0'], note: 'ünïcødé "q"', nothing: null },
        details: { reason: 'release', approvals: 2, flags: [true, false] },
      }),
      entry({
        action: 'rollback',
        targetKind: 'run',
        targetId: 'run_1',
        before: 'succeeded',
        after: 'rolled_back',
      }),
    ];
    for (const e of entries) await store.audit.append(e);

    const got = await store.audit.list();
    expect(got.map(({ id: _id, ...rest }) => rest)).toEqual([...entries].reverse());
    const ids = got.map((e) => e.id);
    expect(ids.every((id) => typeof id === 'number')).toBe(true);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(typeof got[1]!.at).toBe('number');
  });

  it('keeps a falsy JSON value distinct from an absent one', async () => {
    await store.audit.append(entry({ before: 0, after: false, details: '' }));
    const [got] = await store.audit.list();
    expect(got).toMatchObject({ before: 0, after: false, details: '' });
  });

  it('filters by target and limits, keeping the newest', async () => {
    for (let i = 0; i < 5; i++) await store.audit.append(entry({ at: T0 + i, targetId: `c${i % 2}` }));
    await store.audit.append(entry({ at: T0 + 9, targetKind: 'run', targetId: 'c0' }));

    expect((await store.audit.list({ targetKind: 'contract', targetId: 'c0' })).map((e) => e.at)).toEqual([
      T0 + 4,
      T0 + 2,
      T0,
    ]);
    expect((await store.audit.list({ targetId: 'c0' })).map((e) => e.at)).toEqual([
      T0 + 9,
      T0 + 4,
      T0 + 2,
      T0,
    ]);
    expect((await store.audit.list({ targetKind: 'run' })).map((e) => e.targetId)).toEqual(['c0']);
    expect((await store.audit.list({ limit: 2 })).map((e) => e.at)).toEqual([T0 + 9, T0 + 4]);
    expect(await store.audit.list({ targetKind: 'nothing' })).toEqual([]);
  });
});
