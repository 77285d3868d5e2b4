/**
 * Promotion dev → test → prod through the lifecycle: a version moves up one
 * environment only with a succeeded run of it in the environment below, never
 * skipping one, never replacing the target's version of the same major with a
 * breaking change; a refusal names its rule. An accepted promotion makes the version
 * active in the target and is audited with before and after.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Environment } from '../../src/domain/environment';
import { parseContract } from '../../src/contracts/parse';
import { ConflictError, ContractViolationError, InputError } from '../../src/errors';
import type { Run } from '../../src/domain/run';
import { testEngine } from '../support/engine';
import { insertCommittedRun } from '../support/fixtures';
import { createManagedRuntime, day, type ManagedRuntime } from '../support/managed';

const v = (version: string, extra = '') => `
name: sensor
version: ${version}
owner: tests
entity: { name: sensor, key: [sensor] }
eventTime: day
source: { type: push }
schema:
  - { name: day, type: date, required: true }
  - { name: sensor, type: string, required: true }
  - { name: reading, type: integer }
expectations: [{ expect: row_count_between, min: 1, max: 100, severity: fail }]
features:
  - { name: reading, column: reading }
${extra}`;

const V1 = v('1.0.0');
/** Additive: a new feature. */
const V1_1 = v('1.1.0', "  - { name: doubled, expr: 'reading * 2' }");
/** Breaking against 1.0.0 (the feature `reading` is gone), yet in major 1. */
const V1_1_BREAKING = v('1.1.0').replace(
  '{ name: reading, column: reading }',
  "{ name: doubled, expr: 'reading * 2' }",
);

/** A ContractViolationError whose message and details name the rule. */
async function refusedBy(p: Promise<unknown>, rule: string): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ContractViolationError);
  const e = err as ContractViolationError;
  expect(e.message).toContain(`promotion refused (${rule})`);
  expect(e.details).toEqual({ rule });
  return e.message;
}

describe(`promotion (${testEngine()})`, () => {
  let rt: ManagedRuntime;
  beforeEach(async () => {
    rt = await createManagedRuntime({ contracts: [V1] });
  });
  afterEach(() => rt.dispose());

  async function run(
    environment: Environment,
    records: unknown[] = [{ day: day(1), sensor: 'S', reading: 1 }],
  ): Promise<Run> {
    rt.clock.advance(60_000);
    return rt.runs.ingest({ contract: 'sensor', environment, records, actor: 'test', force: true });
  }

  const active = async (environment: Environment) =>
    (await rt.registry.activeVersions({ name: 'sensor', environment })).map((a) => a.version);

  const promote = (version: string, to: string) => {
    rt.clock.advance(60_000);
    return rt.contracts.promote('sensor', version, to, 'dave');
  };

  it('is refused without a succeeded run of the version in the environment below', async () => {
    const message = await refusedBy(promote('1.0.0', 'test'), 'promotion.no-succeeded-run');
    expect(message).toContain('sensor@1.0.0 has no succeeded run in dev');

    // A failed run does not count either.
    const failed = await rt.runs.ingest({
      contract: 'sensor',
      environment: 'dev',
      records: Array.from({ length: 101 }, (_, i) => ({ day: day(1), sensor: `S${i}`, reading: i })),
      actor: 'test',
    });
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'validation' });
    await refusedBy(promote('1.0.0', 'test'), 'promotion.no-succeeded-run');
    expect(await active('test')).toEqual([]);
  });

  it('is refused when it skips an environment', async () => {
    await run('dev');

    const message = await refusedBy(promote('1.0.0', 'prod'), 'promotion.order');

    expect(message).toContain('sensor@1.0.0 is not active in test');
    expect(await active('prod')).toEqual([]);
  });

  it('is refused for a version that is not the one active below', async () => {
    await run('dev');
    await rt.apply('test', V1_1);
    expect(await active('dev')).toEqual(['1.1.0']);

    await refusedBy(promote('1.0.0', 'test'), 'promotion.order');
  });

  it('is refused into dev, to an unknown environment, or for an unknown version', async () => {
    await expect(promote('1.0.0', 'dev')).rejects.toThrow(InputError);
    await expect(promote('1.0.0', 'staging')).rejects.toThrow(/to must be one of dev, test, prod/);
    await expect(promote('9.0.0', 'test')).rejects.toThrow(/sensor@9.0.0 is not registered/);
  });

  it('is accepted after a succeeded run: active in the target, audited with before and after', async () => {
    const dev = await run('dev');
    expect(dev.status).toBe('succeeded');

    const result = await promote('1.0.0', 'test');

    expect(result).toMatchObject({ from: 'dev', to: 'test', replaced: null, contract: { version: '1.0.0' } });
    expect(await active('test')).toEqual(['1.0.0']);
    expect(await active('prod')).toEqual([]);
    const [entry] = await rt.store.audit.list({ targetId: 'sensor@1.0.0', limit: 1 });
    expect(entry).toMatchObject({
      actor: 'dave',
      action: 'contract.promote',
      targetKind: 'contract',
      environment: 'test',
      at: rt.clock.now(),
      before: null,
      after: { activeVersion: '1.0.0' },
      details: { from: 'dev' },
    });
    await expect(promote('1.0.0', 'test')).rejects.toThrow(ConflictError);

    // The next step needs a run in test; then 1.1.0 replaces 1.0.0 in test.
    await refusedBy(promote('1.0.0', 'prod'), 'promotion.no-succeeded-run');
    await run('test');
    expect(await promote('1.0.0', 'prod')).toMatchObject({ from: 'test', to: 'prod' });
    await rt.apply('test', V1_1);
    await run('dev');
    expect(await promote('1.1.0', 'test')).toMatchObject({ replaced: '1.0.0' });
    expect(await active('test')).toEqual(['1.1.0']);
    const [replacing] = await rt.store.audit.list({ targetId: 'sensor@1.1.0', limit: 1 });
    expect(replacing).toMatchObject({
      before: { activeVersion: '1.0.0' },
      after: { activeVersion: '1.1.0' },
    });
  });

  it('finds the succeeded run of the version however many runs of other versions came after it', async () => {
    await run('dev');
    await rt.apply(
      'test',
      v('2.0.0').replace('{ name: reading, column: reading }', '{ name: r, column: reading }'),
    );
    const v2 = (await rt.store.contracts.findVersion('sensor', '2.0.0'))!;
    for (let i = 0; i < 60; i++) {
      rt.clock.advance(1_000);
      await insertCommittedRun(rt.store, rt.clock.now(), {
        id: `run_v2_${String(i).padStart(3, '0')}`,
        contractName: 'sensor',
        contractVersion: '2.0.0',
        contractHash: v2.hash,
        queuedAt: rt.clock.now(),
      });
    }

    expect(await promote('1.0.0', 'test')).toMatchObject({ to: 'test', contract: { version: '1.0.0' } });
  });

  /*
   * promotion.breaking-change cannot be reached through the registry: a version is
   * registered only when its bump matches its changes against the nearest lower
   * registered version, and only a version newer than the one active in dev becomes
   * active there (so the only way into test). A breaking change inside one major is
   * thus refused at apply time. The rule guards stores written without that check.
   */
  it('the registry refuses a breaking change within a major, so promotion never sees one through it', async () => {
    await expect(rt.apply('test', V1_1_BREAKING)).rejects.toThrow(
      /1\.0\.0 → 1\.1\.0 is a minor bump but the change is breaking/,
    );
  });

  it('is refused for a breaking change against the version active in the target (version stored without the registry)', async () => {
    await run('dev');
    await promote('1.0.0', 'test');
    const parsed = parseContract(V1_1_BREAKING, 'breaking.yaml');
    await rt.store.contracts.insertVersion({
      name: 'sensor',
      version: '1.1.0',
      hash: parsed.hash,
      owner: 'tests',
      contract: parsed.contract,
      yaml: parsed.text,
      createdAt: rt.clock.now(),
      createdBy: 'legacy-import',
    });
    await rt.store.contracts.insertPromotion({
      contractName: 'sensor',
      version: '1.1.0',
      environment: 'dev',
      fromEnvironment: null,
      state: 'active',
      createdAt: rt.clock.now(),
      createdBy: 'legacy-import',
      reason: 'applied',
    });
    expect((await run('dev')).status).toBe('succeeded');

    const message = await refusedBy(promote('1.1.0', 'test'), 'promotion.breaking-change');

    expect(message).toContain('sensor@1.1.0 breaks 1.0.0 without a major bump');
    expect(await active('test')).toEqual(['1.0.0']);
  });
});
