import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db';
import { testEngine } from '../support/engine';
import { makeRegistered, registerContract, T0 } from '../support/fixtures';
import { Store } from '../../src/store/store';
import { isUniqueViolation } from '../../src/store/dialect';
import type { Environment } from '../../src/domain/environment';
import type { Promotion } from '../../src/domain/registered-contract';

describe(`ContractRepository (${testEngine()})`, () => {
  let db: TestDb;
  let store: Store;
  beforeEach(async () => {
    db = await createTestDb();
    store = new Store(db);
  });
  afterEach(() => db.dispose());

  let clock = T0;
  async function promote(
    name: string,
    version: string,
    environment: Environment,
    state: Promotion['state'] = 'active',
  ): Promise<number> {
    clock += 1000;
    await store.contracts.insertPromotion({
      contractName: name,
      version,
      environment,
      fromEnvironment: null,
      state,
      createdAt: clock,
      createdBy: 'tester',
      reason: null,
    });
    return clock;
  }

  it('round-trips a registered version, contract object included', async () => {
    const c = makeRegistered('country_daily', '1.2.3', {
      createdAt: Date.UTC(2031, 5, 1),
      yaml: 'name: country_daily\n# reviewed text, kept verbatim\n',
    });
    c.contract.tags = ['covid', 'daily'];
    c.contract.schedule = { cron: '0 6 * * *', onArrival: true };
    await store.contracts.insertVersion(c);

    const got = await store.contracts.findVersion('country_daily', '1.2.3');
    expect(got).toEqual(c);
    expect(got!.major).toBe(1);
    expect(typeof got!.createdAt).toBe('number');
  });

  it('finds nothing for an unknown name or version', async () => {
    await registerContract(store, 'country_daily', '1.0.0');
    expect(await store.contracts.findVersion('country_daily', '1.0.1')).toBeNull();
    expect(await store.contracts.findVersion('other', '1.0.0')).toBeNull();
  });

  it('lists versions newest semver first (1.10.0 above 1.9.0), grouped by name', async () => {
    for (const v of ['1.9.0', '0.9.0', '1.10.0', '2.0.0', '1.2.0', '1.10.1']) {
      await registerContract(store, 'country_daily', v);
    }
    await registerContract(store, 'air_quality', '3.0.0');
    await registerContract(store, 'air_quality', '10.0.0');

    const own = await store.contracts.listVersions('country_daily');
    expect(own.map((c) => c.version)).toEqual(['2.0.0', '1.10.1', '1.10.0', '1.9.0', '1.2.0', '0.9.0']);

    const all = await store.contracts.listVersions();
    expect(all.map((c) => `${c.name}@${c.version}`)).toEqual([
      'air_quality@10.0.0',
      'air_quality@3.0.0',
      ...own.map((c) => `country_daily@${c.version}`),
    ]);
  });

  it('rejects a second (name, version) and isUniqueViolation recognises it', async () => {
    await registerContract(store, 'country_daily', '1.0.0');
    const err = await store.contracts
      .insertVersion(makeRegistered('country_daily', '1.0.0', { hash: 'different' }))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).not.toBeNull();
    expect(isUniqueViolation(err)).toBe(true);
    // The stored version is untouched.
    expect((await store.contracts.findVersion('country_daily', '1.0.0'))!.hash).toBe(
      'hash-country_daily-1.0.0',
    );
    // Same version under another name is a different contract.
    await expect(registerContract(store, 'other', '1.0.0')).resolves.toBeDefined();
  });

  it('does not take a foreign-key violation for a unique one', async () => {
    const err = await promote('never_registered', '1.0.0', 'dev').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).not.toBeNull();
    expect(isUniqueViolation(err)).toBe(false);
  });

  it('lists promotions in order, filtered by name and environment', async () => {
    await registerContract(store, 'a', '1.0.0');
    await registerContract(store, 'b', '1.0.0');
    await promote('a', '1.0.0', 'dev');
    await promote('b', '1.0.0', 'dev');
    await promote('a', '1.0.0', 'test');

    const all = await store.contracts.listPromotions();
    expect(all.map((p) => `${p.contractName}:${p.environment}`)).toEqual(['a:dev', 'b:dev', 'a:test']);
    expect(all[0]).toMatchObject({ version: '1.0.0', state: 'active', fromEnvironment: null, reason: null });
    expect(typeof all[0]!.createdAt).toBe('number');
    expect((await store.contracts.listPromotions({ name: 'a' })).map((p) => p.environment)).toEqual([
      'dev',
      'test',
    ]);
    expect((await store.contracts.listPromotions({ environment: 'dev' })).map((p) => p.contractName)).toEqual(
      ['a', 'b'],
    );
  });

  describe('activeVersions', () => {
    beforeEach(async () => {
      for (const v of ['1.0.0', '1.1.0', '1.10.0', '2.0.0']) await registerContract(store, 'a', v);
      await registerContract(store, 'b', '1.0.0');
    });

    it('is empty before any promotion', async () => {
      expect(await store.contracts.activeVersions()).toEqual([]);
    });

    it('lets the latest promotion of a major win, even towards an older version', async () => {
      await promote('a', '1.0.0', 'dev');
      await promote('a', '1.10.0', 'dev');
      expect((await store.contracts.activeVersions({ environment: 'dev' })).map((a) => a.version)).toEqual([
        '1.10.0',
      ]);

      const since = await promote('a', '1.1.0', 'dev'); // a deliberate step back
      expect(await store.contracts.activeVersions({ environment: 'dev' })).toEqual([
        { environment: 'dev', name: 'a', version: '1.1.0', major: 1, since },
      ]);
    });

    it('keeps majors side by side', async () => {
      const since1 = await promote('a', '1.1.0', 'dev');
      const since2 = await promote('a', '2.0.0', 'dev');
      expect(await store.contracts.activeVersions({ name: 'a' })).toEqual([
        { environment: 'dev', name: 'a', version: '2.0.0', major: 2, since: since2 },
        { environment: 'dev', name: 'a', version: '1.1.0', major: 1, since: since1 },
      ]);
    });

    it('withdraws a major on `retired`, leaving the other majors and environments alone', async () => {
      await promote('a', '1.1.0', 'dev');
      await promote('a', '2.0.0', 'dev');
      await promote('a', '1.1.0', 'prod');
      await promote('a', '1.1.0', 'dev', 'retired');

      expect((await store.contracts.activeVersions({ environment: 'dev' })).map((a) => a.version)).toEqual([
        '2.0.0',
      ]);
      expect((await store.contracts.activeVersions({ environment: 'prod' })).map((a) => a.version)).toEqual([
        '1.1.0',
      ]);

      // A later promotion brings the major back.
      await promote('a', '1.10.0', 'dev');
      expect((await store.contracts.activeVersions({ environment: 'dev' })).map((a) => a.version)).toEqual([
        '2.0.0',
        '1.10.0',
      ]);
    });

    it('keeps environments and contracts apart, and filters by both', async () => {
      await promote('a', '1.0.0', 'dev');
      await promote('a', '1.1.0', 'test');
      await promote('b', '1.0.0', 'dev');

      const all = await store.contracts.activeVersions();
      expect(all.map((a) => `${a.environment}:${a.name}@${a.version}`).sort()).toEqual([
        'dev:a@1.0.0',
        'dev:b@1.0.0',
        'test:a@1.1.0',
      ]);
      expect((await store.contracts.activeVersions({ name: 'b' })).map((a) => a.environment)).toEqual([
        'dev',
      ]);
      expect(
        (await store.contracts.activeVersions({ name: 'a', environment: 'test' })).map((a) => a.version),
      ).toEqual(['1.1.0']);
    });
  });
});
