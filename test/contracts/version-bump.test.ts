import { describe, expect, it } from 'vitest';
import type { ContractChange } from '../../src/contracts/compatibility';
import type { Contract } from '../../src/domain/contract';
import { InputError } from '../../src/errors';
import { actualBump, checkBump, nextVersion, requiredBump } from '../../src/contracts/version-bump';

const breaking: ContractChange = {
  rule: 'column.removed',
  class: 'breaking',
  path: '/schema/deaths',
  message: "column 'deaths' removed",
};
const additive: ContractChange = {
  rule: 'feature.added',
  class: 'additive',
  path: '/features/x',
  message: '',
};
const cosmetic: ContractChange = {
  rule: 'contract.owner_changed',
  class: 'cosmetic',
  path: '/owner',
  message: '',
};

function contract(version: string, owner = 'epidemiology'): Contract {
  return {
    name: 'country_daily',
    version,
    owner,
    entity: { name: 'country', key: ['country'] },
    eventTime: 'date',
    source: { type: 'csv' },
    schema: [
      { name: 'date', type: 'date', required: true },
      { name: 'country', type: 'string', required: true },
    ],
    expectations: [],
    features: [],
  };
}

/** A contract whose content differs from contract(version) (the rules' verdict comes from `changes`). */
const edited = (version: string) => contract(version, 'someone-else');

describe('requiredBump', () => {
  it('maps the most severe class to a bump', () => {
    expect(requiredBump([])).toBe('none');
    expect(requiredBump([cosmetic])).toBe('patch');
    expect(requiredBump([cosmetic, additive])).toBe('minor');
    expect(requiredBump([additive, breaking, cosmetic])).toBe('major');
  });
});

describe('actualBump', () => {
  it.each([
    ['1.2.0', '2.0.0', 'major'],
    ['1.2.0', '1.3.0', 'minor'],
    ['1.2.0', '1.2.1', 'patch'],
    ['1.2.0', '1.2.0', 'none'],
    ['1.2.0', '1.1.9', 'downgrade'],
    ['2.0.0', '1.9.0', 'downgrade'],
    ['1.2.0', '2.0.0-rc.1', 'major'],
    ['1.2.0-rc.1', '1.2.0-rc.2', 'patch'],
    ['1.0.0-rc.1', '1.0.0', 'patch'],
    ['1.2.0', '1.2.0-rc.1', 'downgrade'],
    ['0.1.0', '0.2.0', 'minor'],
  ])('%s → %s is %s', (base, head, bump) => {
    expect(actualBump(base, head)).toBe(bump);
  });

  it('rejects a version that is not semver', () => {
    expect(() => actualBump('1.2', '1.3.0')).toThrow(InputError);
    expect(() => actualBump('1.2.0', 'v-next')).toThrow("'v-next' is not a semantic version");
  });
});

describe('nextVersion', () => {
  it('gives the smallest release of each kind, dropping prerelease tags', () => {
    expect(nextVersion('1.2.3', 'major')).toBe('2.0.0');
    expect(nextVersion('1.2.3', 'minor')).toBe('1.3.0');
    expect(nextVersion('1.2.3-rc.1', 'patch')).toBe('1.2.4');
  });
});

describe('checkBump', () => {
  it('fails a patch bump for a breaking change, naming the change and the version needed', () => {
    const v = checkBump(contract('1.2.0'), edited('1.2.1'), [breaking]);
    expect(v).toEqual({
      ok: false,
      status: 'under-bump',
      required: 'major',
      actual: 'patch',
      reason:
        '1.2.0 → 1.2.1 is a patch bump but the change is breaking (column.removed at /schema/deaths): needs 2.0.0',
      suggested: '2.0.0',
    });
  });

  it('fails a minor bump for a breaking change, counting the others', () => {
    const v = checkBump(contract('1.2.0'), edited('1.3.0'), [breaking, { ...breaking, path: '/schema/x' }]);
    expect(v.ok).toBe(false);
    expect(v.reason).toBe(
      '1.2.0 → 1.3.0 is a minor bump but the change is breaking (column.removed at /schema/deaths and 1 more): needs 2.0.0',
    );
  });

  it('accepts a major bump for a breaking change', () => {
    expect(checkBump(contract('1.2.0'), edited('2.0.0'), [breaking, additive])).toMatchObject({
      ok: true,
      status: 'ok',
    });
  });

  it('accepts a minor bump for an additive change and fails a patch bump', () => {
    expect(checkBump(contract('1.2.0'), edited('1.3.0'), [additive, cosmetic])).toMatchObject({
      ok: true,
      status: 'ok',
    });
    expect(checkBump(contract('1.2.0'), edited('1.2.1'), [additive])).toMatchObject({
      ok: false,
      status: 'under-bump',
      suggested: '1.3.0',
    });
  });

  it('accepts a patch bump for a cosmetic change', () => {
    expect(checkBump(contract('1.2.0'), edited('1.2.1'), [cosmetic])).toMatchObject({
      ok: true,
      required: 'patch',
    });
  });

  it('allows over-bumping but says so', () => {
    const v = checkBump(contract('1.2.0'), edited('2.0.0'), [additive]);
    expect(v).toMatchObject({ ok: true, status: 'over-bump', required: 'minor', actual: 'major' });
    expect(v.reason).toBe('1.2.0 → 2.0.0 is a major bump; a minor bump would do (additive change)');
  });

  it('fails any content change under the same version', () => {
    const v = checkBump(contract('1.2.0'), edited('1.2.0'), [cosmetic]);
    expect(v).toMatchObject({ ok: false, status: 'no-bump', suggested: '1.2.1' });
    expect(v.reason).toMatch(/^registered content changed without a version bump \(1\.2\.0\)/);
  });

  it('fails a content change the rules do not classify, and asks for at least a patch', () => {
    const head = contract('1.2.0');
    head.schema[1] = { ...head.schema[1]!, required: true, unique: false };
    const v = checkBump(contract('1.2.0'), head, []);
    expect(v).toMatchObject({ ok: false, status: 'no-bump', required: 'patch', suggested: '1.2.1' });
  });

  it('passes the same content under the same version as unchanged', () => {
    expect(checkBump(contract('1.2.0'), contract('1.2.0'), [])).toMatchObject({
      ok: true,
      status: 'unchanged',
      actual: 'none',
    });
  });

  it('passes a new version with identical content (nothing to protect) and notes it', () => {
    expect(checkBump(contract('1.2.0'), contract('1.2.1'), [])).toMatchObject({
      ok: true,
      status: 'version-only',
    });
  });

  it('fails a version that goes backwards', () => {
    const v = checkBump(contract('1.2.0'), edited('1.1.0'), [cosmetic]);
    expect(v).toMatchObject({ ok: false, status: 'downgrade', suggested: '1.2.1' });
    expect(v.reason).toBe('1.2.0 → 1.1.0 goes backwards: versions must increase');
  });

  it('gives 0.x no leniency: a breaking change needs a new major', () => {
    expect(checkBump(contract('0.3.0'), edited('0.4.0'), [breaking])).toMatchObject({
      ok: false,
      suggested: '1.0.0',
    });
  });

  it('gives prereleases no leniency either: 1.0.0-rc.1 → 1.0.0 stays in view 1', () => {
    expect(checkBump(contract('1.0.0-rc.1'), edited('1.0.0'), [breaking])).toMatchObject({
      ok: false,
      suggested: '2.0.0',
    });
    expect(checkBump(contract('1.0.0-rc.1'), edited('1.0.0-rc.2'), [cosmetic])).toMatchObject({ ok: true });
  });

  it('accepts bare versions (registry use): content counts as changed when the diff found something', () => {
    expect(checkBump('1.2.0', '1.2.1', [breaking])).toMatchObject({ ok: false, required: 'major' });
    expect(checkBump('1.2.0', '1.3.0', [additive])).toMatchObject({ ok: true, status: 'ok' });
    expect(checkBump('1.2.0', '1.2.1', [])).toMatchObject({ ok: true, status: 'version-only' });
  });
});
