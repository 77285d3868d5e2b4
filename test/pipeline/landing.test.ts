/**
 * Landing safety: file sources read only inside the landing directory. A contract
 * path with `..`, an absolute path elsewhere, a symlink that points out, and a
 * `--file` outside are refused with ForbiddenError, and nothing is acquired.
 *
 * The contract parser already refuses `..` and absolute source paths; the runtime
 * must refuse them again for contracts that reached the store some other way, so
 * those cases register the contract directly in the store.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import semver from 'semver';
import { ContractValidationError, ForbiddenError, InputError } from '../../src/errors';
import { parseContract } from '../../src/contracts/parse';
import { resolveLandingFile, resolveLandingFiles } from '../../src/pipeline/landing';
import { T } from '../../src/store/tables';
import { testEngine } from '../support/engine';
import { countRows, createTestRuntime, type TestRuntime } from '../support/runtime';
import { casesContract } from '../fixtures/contracts/cases';

const CSV = 'date,country,cases\n2024-01-01,DEU,1\n';

function contract(name: string, path: string): string {
  return casesContract({ name, path });
}

describe(`landing directory safety (${testEngine()})`, () => {
  let rt: TestRuntime;
  let outside: string;

  beforeEach(async () => {
    rt = await createTestRuntime();
    outside = mkdtempSync(join(tmpdir(), 'tidemark-outside-'));
    writeFileSync(join(outside, 'secret.csv'), CSV);
  });
  afterEach(async () => {
    await rt.dispose();
    rmSync(outside, { recursive: true, force: true });
  });

  /** Registers a contract with any source path, bypassing the parser's own path checks. */
  async function registerUnchecked(name: string, path: string): Promise<void> {
    const parsed = parseContract(contract(name, 'placeholder.csv'), 'inline.yaml');
    const c = { ...parsed.contract, source: { ...parsed.contract.source, path } };
    await rt.store.contracts.insertVersion({
      name,
      version: c.version,
      hash: parsed.hash,
      owner: c.owner,
      contract: c,
      yaml: parsed.text,
      createdAt: rt.clock.now(),
      createdBy: 'test',
    });
    await rt.store.contracts.insertPromotion({
      contractName: name,
      version: c.version,
      environment: 'dev',
      fromEnvironment: null,
      state: 'active',
      createdAt: rt.clock.now(),
      createdBy: 'test',
      reason: 'test',
    });
    expect(semver.major(c.version)).toBe(1);
  }

  const trigger = (name: string, file?: string) =>
    rt.runs.trigger({ contract: name, environment: 'dev', actor: 'test', file });

  async function expectNothingAcquired(): Promise<void> {
    expect(await countRows(rt, T.rawBatches)).toBe(0);
    expect(await countRows(rt, T.runs)).toBe(0);
  }

  it('the contract parser refuses `..` and absolute source paths', () => {
    expect(() => parseContract(contract('up', '../x/*.csv'), 'c.yaml')).toThrow(ContractValidationError);
    expect(() => parseContract(contract('abs', `${outside}/*.csv`), 'c.yaml')).toThrow(
      ContractValidationError,
    );
  });

  it('refuses a source path with `..`', async () => {
    await rt.land('inside/a.csv', CSV);
    await registerUnchecked('dotdot', 'inside/../../*.csv');
    await expect(trigger('dotdot')).rejects.toThrow(ForbiddenError);
    await expectNothingAcquired();
  });

  it('refuses an absolute source path outside the landing directory', async () => {
    await registerUnchecked('absolute', join(outside, '*.csv'));
    await expect(trigger('absolute')).rejects.toThrow(ForbiddenError);
    await expectNothingAcquired();
  });

  it('accepts an absolute source path inside the landing directory', async () => {
    await rt.land('inside/a.csv', CSV);
    await registerUnchecked('absolute_inside', join(rt.config.landingDir, 'inside/*.csv'));
    const run = await trigger('absolute_inside');
    expect(run.status).toBe('succeeded');
    expect(run.counts.read).toBe(1);
  });

  it('refuses a symlink inside the landing directory that points outside', async () => {
    await rt.land('linked/good.csv', CSV.replace('DEU', 'FRA'));
    symlinkSync(join(outside, 'secret.csv'), join(rt.config.landingDir, 'linked/evil.csv'));
    await rt.apply(contract('linked', 'linked/*.csv'));

    const err = (await trigger('linked').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ForbiddenError);
    expect(err.message).toMatch(/'linked\/evil\.csv' is a link that resolves outside the landing directory/);
    // The message reaches API callers: it must not say where on the host the link points.
    expect(err.message).not.toContain(outside);
    await expectNothingAcquired();
  });

  it('follows a symlink that stays inside the landing directory', async () => {
    const target = await rt.land('store/real.csv', CSV);
    symlinkSync(target, join(rt.config.landingDir, 'alias.csv'));
    await rt.apply(contract('alias', 'alias.csv'));

    const run = await trigger('alias');

    expect(run.status).toBe('succeeded');
    const [batch] = await rt.store.rawBatches.forRun(run.id);
    expect(batch!.sourceUri).toBe(target);
  });

  it('refuses --file outside the landing directory, by `..` or absolute path', async () => {
    await rt.apply(contract('explicit', 'nothing/*.csv'));
    await expect(trigger('explicit', join(outside, 'secret.csv'))).rejects.toThrow(ForbiddenError);
    await expect(trigger('explicit', '../secret.csv')).rejects.toThrow(ForbiddenError);
    await expect(trigger('explicit', `x/../../${outside.split('/').pop()}/secret.csv`)).rejects.toThrow(
      ForbiddenError,
    );
    await expectNothingAcquired();
  });

  it('refuses --file naming a symlink that points outside', async () => {
    symlinkSync(join(outside, 'secret.csv'), join(rt.config.landingDir, 'evil.csv'));
    await rt.apply(contract('explicit_link', 'nothing/*.csv'));
    await expect(trigger('explicit_link', 'evil.csv')).rejects.toThrow(ForbiddenError);
    await expectNothingAcquired();
  });

  it('runs --file inside the landing directory, relative or absolute, even when the glob does not match it', async () => {
    const path = await rt.land('adhoc/one.csv', CSV);
    await rt.apply(contract('adhoc', 'nothing/*.csv'));

    const run = await trigger('adhoc', 'adhoc/one.csv');
    expect(run.status).toBe('succeeded');
    expect((await rt.store.rawBatches.forRun(run.id))[0]!.sourceUri).toBe(path);

    await expect(trigger('adhoc', path)).rejects.toThrow(/already ingested/);
  });

  it('reports a missing --file as bad input', async () => {
    await rt.apply(contract('missing', 'nothing/*.csv'));
    await expect(trigger('missing', 'nope.csv')).rejects.toThrow(InputError);
  });

  it('accepts paths given through a symlinked alias of the landing directory', async () => {
    const path = await rt.land('via/alias.csv', CSV);
    const aliasDir = join(outside, 'landing-alias');
    symlinkSync(rt.config.landingDir, aliasDir);

    expect(await resolveLandingFile(aliasDir, join(aliasDir, 'via/alias.csv'))).toBe(path);
    expect(await resolveLandingFiles(aliasDir, join(aliasDir, 'via/*.csv'))).toEqual([path]);
    await expect(resolveLandingFile(aliasDir, join(outside, 'secret.csv'))).rejects.toThrow(ForbiddenError);
  });
});
