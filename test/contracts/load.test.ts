import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadContractFiles } from '../../src/contracts/load';
import { MAX_CONTRACT_BYTES } from '../../src/contracts/parse';
import { ContractValidationError, type Issue } from '../../src/errors';
import { BASE } from '../fixtures/contracts/samples';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tidemark-contracts-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

async function loadIssues(paths: string[]): Promise<Issue[]> {
  const error = await loadContractFiles(paths).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ContractValidationError);
  return (error as ContractValidationError).issues;
}

const named = (name: string, version = '1.2.0'): string =>
  BASE.replace('name: country_daily', `name: ${name}`).replace('version: 1.2.0', `version: ${version}`);

describe('loadContractFiles', () => {
  it('loads a directory: its *.yaml and *.yml files, sorted, nothing else', async () => {
    await write('b.yml', named('b_contract'));
    await write('a.yaml', named('a_contract'));
    await write('notes.txt', 'not a contract');
    await write('nested/c.yaml', named('c_contract'));
    await mkdir(path.join(dir, 'dir.yaml'));
    const parsed = await loadContractFiles([dir]);
    expect(parsed.map((p) => path.basename(p.file))).toEqual(['a.yaml', 'b.yml']);
    expect(parsed.map((p) => p.contract.name)).toEqual(['a_contract', 'b_contract']);
    expect(parsed[0]!.text).toBe(named('a_contract'));
  });

  it('loads files and directories in the order given, each file once', async () => {
    const a = await write('x/a.yaml', named('a_contract'));
    const b = await write('y/b.yaml', named('b_contract'));
    const parsed = await loadContractFiles([b, path.join(dir, 'x'), a]);
    expect(parsed.map((p) => p.contract.name)).toEqual(['b_contract', 'a_contract']);
  });

  it('returns nothing for an empty directory', async () => {
    expect(await loadContractFiles([dir])).toEqual([]);
  });

  it('is all or nothing: one bad file fails the load, with the issues of every file', async () => {
    const good = await write('a.yaml', named('a_contract'));
    const bad1 = await write('b.yaml', named('b_contract').replace('owner: epidemiology\n', ''));
    const bad2 = await write('c.yaml', named('c_contract').replace('type: date,', 'type: day,'));
    const issues = await loadIssues([dir]);
    expect(issues.map((i) => [i.file, i.path, i.line, i.column])).toEqual([
      [bad1, '/owner', 1, 1],
      [bad2, '/schema/0/type', 12, 25],
    ]);
    expect(issues.some((i) => i.file === good)).toBe(false);
  });

  it('reports a missing path and still checks the others', async () => {
    const bad = await write('b.yaml', 'name: [\n');
    const missing = path.join(dir, 'missing.yaml');
    const issues = await loadIssues([missing, bad]);
    expect(issues[0]).toMatchObject({ file: missing, path: '', line: 0, column: 0 });
    expect(issues[0]!.message).toMatch(/^cannot read: ENOENT/);
    expect(issues[1]).toMatchObject({ file: bad, line: 2 });
  });

  it('rejects a file over the size limit without reading it', async () => {
    const huge = await write('huge.yaml', BASE + '#' + 'x'.repeat(MAX_CONTRACT_BYTES) + '\n');
    const issues = await loadIssues([huge]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/the limit is 262144 bytes/);
  });

  it('rejects the same (name, version) with different content, wherever the files are', async () => {
    await write('x/a.yaml', named('same'));
    const second = await write('y/b.yaml', named('same').replace('owner: epidemiology', 'owner: someone'));
    const issues = await loadIssues([path.join(dir, 'x'), path.join(dir, 'y')]);
    expect(issues).toEqual([
      {
        file: second,
        path: '/version',
        line: 2,
        column: 10,
        message: `contract 'same' version 1.2.0 is also declared in ${path.join(dir, 'x', 'a.yaml')} with different content; bump the version`,
      },
    ]);
  });

  it('rejects the same name and version twice in one directory, even with equal content', async () => {
    await write('a.yaml', named('same'));
    const copy = await write('a-copy.yaml', '# a forgotten copy\n' + named('same'));
    const issues = await loadIssues([dir]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: path.join(dir, 'a.yaml'), path: '/version', line: 2 });
    expect(issues[0]!.message).toBe(
      `contract 'same' version 1.2.0 is declared twice in one directory (also in ${copy})`,
    );
  });

  it('accepts equal content in different directories, and other versions of a name side by side', async () => {
    await write('x/a.yaml', named('same'));
    await write('y/a.yaml', '# reformatted\n' + named('same'));
    await write('y/a2.yaml', named('same', '2.0.0'));
    const parsed = await loadContractFiles([path.join(dir, 'x'), path.join(dir, 'y')]);
    expect(parsed.map((p) => p.contract.version)).toEqual(['1.2.0', '1.2.0', '2.0.0']);
    expect(parsed[0]!.hash).toBe(parsed[1]!.hash);
  });

  it('loads the repository contracts', async () => {
    const parsed = await loadContractFiles(['contracts']);
    expect(parsed.length).toBeGreaterThan(0);
  });
});
