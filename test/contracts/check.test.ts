import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CheckResult, type ContractCheck, runContractsCheck } from '../../src/contracts/check';
import { renderJson, renderMarkdown } from '../../src/contracts/check-report';
import { InputError } from '../../src/errors';

const run = promisify(execFile);

const COUNTRY = `name: country_daily
version: 1.0.0
owner: epidemiology
entity:
  name: country
  key: [country]
eventTime: date
source:
  type: csv
  path: covid/*.csv
schema:
  - { name: date, type: date, required: true }
  - { name: country, type: string, required: true }
  - { name: confirmed, type: integer, required: true, minimum: 0 }
  - { name: deaths, type: integer, minimum: 0 }
expectations:
  - { expect: row_count_between, min: 1, max: 1000000, severity: fail }
features:
  - { name: confirmed, column: confirmed }
  - { name: deaths, column: deaths }
`;

const HOSPITAL = COUNTRY.replace('name: country_daily', 'name: hospital_daily');

/** A real repository in a temp dir: write files, commit, and run the check against it. */
class Repo {
  constructor(readonly dir: string) {}

  static async create(): Promise<Repo> {
    const repo = new Repo(await mkdtemp(join(tmpdir(), 'tidemark-check-')));
    await repo.git('init', '-q', '-b', 'main');
    return repo;
  }

  git(...args: string[]) {
    return run(
      'git',
      ['-c', 'user.email=ci@example.org', '-c', 'user.name=CI', '-c', 'commit.gpgsign=false', ...args],
      {
        cwd: this.dir,
      },
    );
  }

  async write(path: string, text: string): Promise<void> {
    await mkdir(dirname(join(this.dir, path)), { recursive: true });
    await writeFile(join(this.dir, path), text);
  }

  async remove(path: string): Promise<void> {
    await rm(join(this.dir, path));
  }

  async commit(message: string): Promise<string> {
    await this.git('add', '-A');
    await this.git('commit', '-q', '--allow-empty', '-m', message);
    return (await this.git('rev-parse', 'HEAD')).stdout.trim();
  }

  /** Head is the last commit, as in CI. */
  check(base = 'main~1'): Promise<CheckResult> {
    return runContractsCheck({ repoDir: this.dir, base, head: 'HEAD' });
  }

  /** Head is the working tree, as for a developer before committing. */
  checkWorkingTree(base: string): Promise<CheckResult> {
    return runContractsCheck({ repoDir: this.dir, base });
  }
}

let repo: Repo;

beforeEach(async () => {
  repo = await Repo.create();
  await repo.write('contracts/country_daily.yaml', COUNTRY);
  await repo.commit('base');
});

afterEach(async () => {
  await rm(repo.dir, { recursive: true, force: true });
});

function only(result: CheckResult, name = 'country_daily'): ContractCheck {
  const found = result.contracts.filter((c) => c.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

const bumped = (text: string, version: string) => text.replace('version: 1.0.0', `version: ${version}`);
const withoutDeaths = (text: string) =>
  text
    .replace('  - { name: deaths, type: integer, minimum: 0 }\n', '')
    .replace('  - { name: deaths, column: deaths }\n', '');
const withTests = (text: string) =>
  text.replace('expectations:', '  - { name: tests, type: integer, minimum: 0 }\nexpectations:');

describe('runContractsCheck', () => {
  it('passes an additive change with a minor bump', async () => {
    await repo.write('contracts/country_daily.yaml', bumped(withTests(COUNTRY), '1.1.0'));
    await repo.commit('add tests column');
    const result = await repo.check();
    expect(result.ok).toBe(true);
    expect(only(result)).toMatchObject({
      verdict: 'ok',
      ok: true,
      baseVersion: '1.0.0',
      headVersion: '1.1.0',
      requiredBump: 'minor',
      actualBump: 'minor',
      changes: [expect.objectContaining({ rule: 'column.added', class: 'additive', path: '/schema/tests' })],
    });
  });

  it('fails a breaking change with a minor bump and says which version is needed', async () => {
    await repo.write('contracts/country_daily.yaml', bumped(withoutDeaths(COUNTRY), '1.1.0'));
    await repo.commit('drop deaths');
    const result = await repo.check();
    expect(result.ok).toBe(false);
    const c = only(result);
    expect(c).toMatchObject({
      verdict: 'bump-mismatch',
      ok: false,
      requiredBump: 'major',
      suggestedVersion: '2.0.0',
    });
    expect(c.reason).toContain('1.0.0 → 1.1.0 is a minor bump but the change is breaking');
    expect(c.changes.map((ch) => ch.rule)).toEqual(['column.removed', 'feature.removed']);
  });

  it('reports a widened integer column as breaking for its typed consumers, needing a major bump', async () => {
    const widened = COUNTRY.replace(
      '{ name: deaths, type: integer, minimum: 0 }',
      '{ name: deaths, type: number, minimum: 0 }',
    );
    await repo.write('contracts/country_daily.yaml', bumped(widened, '1.1.0'));
    await repo.commit('deaths as number');
    const result = await repo.check();
    const c = only(result);
    expect(c).toMatchObject({ verdict: 'bump-mismatch', requiredBump: 'major', suggestedVersion: '2.0.0' });
    expect(c.changes.map((ch) => `${ch.class} ${ch.rule}`)).toEqual([
      'breaking column.type_widened',
      'breaking feature.type_widened',
    ]);
    const md = renderMarkdown(result);
    expect(md).toContain('column.type_widened');
    expect(md).toContain('feature.type_widened');
  });

  it('passes the same breaking change with a major bump', async () => {
    await repo.write('contracts/country_daily.yaml', bumped(withoutDeaths(COUNTRY), '2.0.0'));
    await repo.commit('drop deaths');
    expect(only(await repo.check())).toMatchObject({ verdict: 'ok', ok: true });
  });

  it('fails content changed under the same version', async () => {
    await repo.write(
      'contracts/country_daily.yaml',
      COUNTRY.replace('owner: epidemiology', 'owner: public-health'),
    );
    await repo.commit('new owner');
    const result = await repo.check();
    expect(result.ok).toBe(false);
    expect(only(result)).toMatchObject({
      verdict: 'content-changed-without-bump',
      ok: false,
      suggestedVersion: '1.0.1',
    });
  });

  it('passes a reformatted file with the same content and version as unchanged', async () => {
    await repo.write(
      'contracts/country_daily.yaml',
      '# reviewed\n' + COUNTRY.replace('key: [country]', 'key:\n    - country'),
    );
    await repo.commit('reformat');
    expect(only(await repo.check())).toMatchObject({ verdict: 'unchanged', ok: true, changes: [] });
  });

  it('fails a deleted contract', async () => {
    await repo.remove('contracts/country_daily.yaml');
    await repo.commit('delete');
    const result = await repo.check();
    expect(result.ok).toBe(false);
    expect(only(result)).toMatchObject({
      verdict: 'deleted',
      ok: false,
      baseFile: 'contracts/country_daily.yaml',
    });
  });

  it('passes a new contract', async () => {
    await repo.write('contracts/hospital_daily.yaml', HOSPITAL);
    await repo.commit('new contract');
    const result = await repo.check();
    expect(result.ok).toBe(true);
    expect(only(result, 'hospital_daily')).toMatchObject({ verdict: 'new', ok: true, headVersion: '1.0.0' });
    expect(only(result)).toMatchObject({ verdict: 'unchanged' });
  });

  it('pairs by contract name, so a renamed file is compared with its old self', async () => {
    await repo.remove('contracts/country_daily.yaml');
    await repo.write('contracts/epi/countries.yml', bumped(withTests(COUNTRY), '1.1.0'));
    await repo.commit('move');
    const result = await repo.check();
    expect(result.ok).toBe(true);
    expect(only(result)).toMatchObject({ verdict: 'ok', file: 'contracts/epi/countries.yml' });
    expect(only(result).notes).toContain(
      'file renamed contracts/country_daily.yaml → contracts/epi/countries.yml',
    );
  });

  it('fails an invalid head contract with file:line:column, without also calling it deleted', async () => {
    await repo.write(
      'contracts/country_daily.yaml',
      bumped(COUNTRY, '1.0.1').replace('type: integer, minimum: 0 }', 'type: integr, minimum: 0 }'),
    );
    await repo.commit('typo');
    const result = await repo.check();
    expect(result.ok).toBe(false);
    expect(result.contracts).toHaveLength(1);
    const c = only(result);
    expect(c).toMatchObject({
      verdict: 'invalid',
      ok: false,
      file: 'contracts/country_daily.yaml',
      baseVersion: '1.0.0',
    });
    expect(c.issues[0]).toMatchObject({ file: 'contracts/country_daily.yaml', line: 15 });
    expect(c.issues[0]!.column).toBeGreaterThan(0);
  });

  it('fails a YAML syntax error and still pairs the file with its base by path', async () => {
    await repo.write('contracts/country_daily.yaml', 'name: [unclosed\n');
    await repo.commit('broken');
    const result = await repo.check();
    expect(result.contracts.map((c) => c.verdict)).toEqual(['invalid']);
    expect(only(result, 'contracts/country_daily.yaml').issues[0]!.line).toBeGreaterThan(0);
  });

  it('fails two files that claim the same contract name', async () => {
    await repo.write('contracts/copy.yaml', COUNTRY);
    await repo.commit('copy');
    const result = await repo.check();
    expect(result.ok).toBe(false);
    const verdicts = result.contracts.map((c) => [c.file, c.verdict]);
    expect(verdicts).toEqual([
      ['contracts/copy.yaml', 'unchanged'],
      ['contracts/country_daily.yaml', 'invalid'],
    ]);
  });

  it('skips, with a note, a contract whose base version does not parse', async () => {
    await repo.write('contracts/hospital_daily.yaml', HOSPITAL.replace('type: csv', 'type: ftp'));
    await repo.commit('broken base');
    await repo.write('contracts/hospital_daily.yaml', HOSPITAL);
    await repo.commit('fixed');
    const c = only(await repo.check(), 'hospital_daily');
    expect(c).toMatchObject({ verdict: 'skipped', ok: true });
    expect(c.notes[0]).toMatch(/base version of contracts\/hospital_daily\.yaml does not parse/);
  });

  it('reads the working tree when no head ref is given, so it runs before committing', async () => {
    await repo.write('contracts/country_daily.yaml', bumped(withoutDeaths(COUNTRY), '1.0.1'));
    await repo.write('contracts/hospital_daily.yaml', HOSPITAL);
    const result = await repo.checkWorkingTree('main');
    expect(result.head).toEqual({ ref: 'working tree', commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(result.contracts.map((c) => [c.name, c.verdict])).toEqual([
      ['country_daily', 'bump-mismatch'],
      ['hospital_daily', 'new'],
    ]);
  });

  it('sees an uncommitted deletion in the working tree', async () => {
    await repo.remove('contracts/country_daily.yaml');
    expect(only(await repo.checkWorkingTree('main'))).toMatchObject({ verdict: 'deleted', ok: false });
  });

  it('ignores files that are not YAML', async () => {
    await repo.write('contracts/README.md', '# contracts\n');
    await repo.commit('docs');
    expect((await repo.check()).contracts.map((c) => c.verdict)).toEqual(['unchanged']);
  });

  it('throws a clear InputError for an unknown base ref', async () => {
    await expect(repo.check('origin/nope')).rejects.toBeInstanceOf(InputError);
    await expect(repo.check('origin/nope')).rejects.toThrow("unknown git ref 'origin/nope'");
    await expect(repo.check('--output=x')).rejects.toThrow("unknown git ref '--output=x'");
  });

  it('throws a clear InputError outside a git repository', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tidemark-nogit-'));
    try {
      await expect(runContractsCheck({ repoDir: dir, base: 'main' })).rejects.toThrow(
        /is not a git repository/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('check report', () => {
  async function failingResult(): Promise<CheckResult> {
    await repo.write('contracts/country_daily.yaml', bumped(withoutDeaths(COUNTRY), '1.1.0'));
    await repo.write('contracts/hospital_daily.yaml', HOSPITAL.replace('type: csv', 'type: ftp'));
    await repo.commit('mixed');
    return repo.check();
  }

  it('renders a reviewer-friendly markdown report', async () => {
    const md = renderMarkdown(await failingResult());
    expect(md).toContain('❌ **2 of 2 contracts failed** (1 bump-mismatch, 1 invalid)');
    expect(md).toContain('| `country_daily` | 1.0.0 → 1.1.0 | major | ❌ bump mismatch (needs 2.0.0) |');
    expect(md).toContain('**Breaking** (2)');
    expect(md).toContain("- `column.removed` at `/schema/deaths`: column 'deaths' removed");
    expect(md).toContain('**Lint problems** (1)');
    expect(md).toMatch(/- `contracts\/hospital_daily\.yaml:9:\d+ \/source\/type: /);
  });

  it('renders a passing report with a check mark', async () => {
    await repo.write('contracts/country_daily.yaml', bumped(withTests(COUNTRY), '1.1.0'));
    await repo.commit('add');
    const md = renderMarkdown(await repo.check());
    expect(md).toContain('✅ **1 contract checked, all pass** (1 ok)');
    expect(md).toContain('**Additive** (1)');
  });

  it('renders stable JSON: same result, same text, every entry the same shape', async () => {
    const result = await failingResult();
    const json = renderJson(result);
    expect(renderJson(await repo.check())).toBe(json);
    const doc = JSON.parse(json);
    expect(doc.ok).toBe(false);
    expect(Object.keys(doc.contracts[0])).toEqual(Object.keys(doc.contracts[1]));
    expect(doc.contracts[0].changes[0]).toMatchObject({
      rule: 'column.removed',
      class: 'breaking',
      path: '/schema/deaths',
    });
  });
});
