/**
 * Loads contract files from disk, all or nothing: every file is parsed and every issue
 * of every file is reported in one ContractValidationError, so a pull request shows
 * all problems at once and a half-valid set of contracts is never applied.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ContractValidationError, type Issue } from '../errors';
import type { ParsedContract } from '../domain/contract';
import { locatorForText } from './locate';
import { MAX_CONTRACT_BYTES, parseContract } from './parse';
import { bytesMessage } from './limits';

const CONTRACT_FILE = /\.ya?ml$/;

/**
 * Each path is a contract file or a directory (its `*.yaml` / `*.yml` files, sorted by
 * name, not recursive). Returns the parsed contracts in that order.
 */
export async function loadContractFiles(paths: string[]): Promise<ParsedContract[]> {
  const { parsed, issues } = await lintContractFiles(paths);
  if (issues.length > 0) throw new ContractValidationError(issues);
  return parsed;
}

/**
 * Every file checked, nothing thrown: the contracts without an issue of their own and
 * every issue found (a linter reports the good files beside the bad ones).
 */
export async function lintContractFiles(
  paths: string[],
): Promise<{ parsed: ParsedContract[]; issues: Issue[] }> {
  const issues: Issue[] = [];
  const files = await expandPaths(paths, issues);
  const results = await Promise.all(files.map((file) => loadOne(file)));
  const parsed: ParsedContract[] = [];
  for (const r of results) {
    if (Array.isArray(r)) issues.push(...r);
    else parsed.push(r);
  }
  issues.push(...crossFileIssues(parsed));
  const faulty = new Set(issues.map((i) => i.file));
  return { parsed: parsed.filter((p) => !faulty.has(p.file)), issues };
}

async function expandPaths(paths: string[], issues: Issue[]): Promise<string[]> {
  const expanded = await Promise.all(
    paths.map(async (p) => {
      try {
        if (!(await stat(p)).isDirectory()) return [p];
        const names = (await readdir(p)).filter((n) => CONTRACT_FILE.test(n)).sort();
        const files = await Promise.all(
          names.map(async (n) => ((await stat(path.join(p, n))).isFile() ? [path.join(p, n)] : [])),
        );
        return files.flat();
      } catch (e) {
        issues.push(fileIssue(p, `cannot read: ${(e as Error).message}`));
        return [];
      }
    }),
  );
  // A file named explicitly and also found through its directory is loaded once.
  const byResolved = new Map<string, string>();
  for (const f of expanded.flat()) if (!byResolved.has(path.resolve(f))) byResolved.set(path.resolve(f), f);
  return [...byResolved.values()];
}

async function loadOne(file: string): Promise<ParsedContract | Issue[]> {
  try {
    // Checked before reading so that a huge file is never loaded into memory.
    const { size } = await stat(file);
    if (size > MAX_CONTRACT_BYTES) {
      return [fileIssue(file, bytesMessage(size))];
    }
    return parseContract(await readFile(file, 'utf8'), file);
  } catch (e) {
    if (e instanceof ContractValidationError) return e.issues;
    return [fileIssue(file, `cannot read: ${(e as Error).message}`)];
  }
}

/**
 * A (name, version) is immutable: two files declaring it with different content is an
 * error wherever they are, and two files declaring it in one directory is an error
 * even with equal content (one of them is a forgotten copy).
 */
function crossFileIssues(parsed: ParsedContract[]): Issue[] {
  const first = new Map<string, ParsedContract>();
  const issues: Issue[] = [];
  for (const p of parsed) {
    const id = `${p.contract.name}@${p.contract.version}`;
    const earlier = first.get(id);
    if (!earlier) {
      first.set(id, p);
      continue;
    }
    const what = `contract '${p.contract.name}' version ${p.contract.version}`;
    if (earlier.hash !== p.hash) {
      issues.push(
        versionIssue(
          p,
          `${what} is also declared in ${earlier.file} with different content; bump the version`,
        ),
      );
    } else if (path.dirname(path.resolve(earlier.file)) === path.dirname(path.resolve(p.file))) {
      issues.push(versionIssue(p, `${what} is declared twice in one directory (also in ${earlier.file})`));
    }
  }
  return issues;
}

function versionIssue(p: ParsedContract, message: string): Issue {
  const at = locatorForText(p.text, p.file).position('/version');
  return { file: p.file, path: '/version', ...at, message };
}

function fileIssue(file: string, message: string): Issue {
  return { file, path: '', line: 0, column: 0, message };
}
