/**
 * A small adapter over the `git` binary, used to read contracts as they were at a
 * base ref. execFile, never a shell, so refs and paths are arguments, not code; a
 * ref starting with `-` is refused so it cannot be read as an option.
 */
import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors';

const MAX_BUFFER = 64 * 1024 * 1024;

class GitFailure extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed: ${stderr.trim()}`);
  }
}

function git(repoDir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd: repoDir, maxBuffer: MAX_BUFFER, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          return reject(
            new InputError(
              `cannot run git in '${repoDir}': git is not installed or the directory does not exist`,
            ),
          );
        }
        reject(new GitFailure(args, stderr || err.message));
      },
    );
  });
}

function checkRefSyntax(ref: string): void {
  if (ref === '' || ref.startsWith('-') || /[\s\0]/.test(ref))
    throw new InputError(`unknown git ref '${ref}'`);
}

/** The commit a ref points at (full sha). Throws InputError for anything git cannot resolve. */
export async function resolveRef(repoDir: string, ref: string): Promise<string> {
  checkRefSyntax(ref);
  await assertRepo(repoDir);
  try {
    const out = await git(repoDir, [
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${ref}^{commit}`,
    ]);
    return out.trim();
  } catch (e) {
    if (e instanceof GitFailure) throw new InputError(`unknown git ref '${ref}'`, { repoDir });
    throw e;
  }
}

async function assertRepo(repoDir: string): Promise<void> {
  try {
    await git(repoDir, ['rev-parse', '--git-dir']);
  } catch (e) {
    if (e instanceof GitFailure) throw new InputError(`'${repoDir}' is not a git repository`);
    throw e;
  }
}

/** Files under `dir` (recursively) at `ref`, as paths relative to repoDir, sorted. Empty when `dir` is absent. */
export async function listFilesAtRef(repoDir: string, ref: string, dir: string): Promise<string[]> {
  const commit = await resolveRef(repoDir, ref);
  const out = await git(repoDir, ['ls-tree', '-r', '-z', '--name-only', commit, '--', dir]);
  return splitZ(out).sort();
}

/** A file's text at `ref`. */
export async function readFileAtRef(repoDir: string, ref: string, path: string): Promise<string> {
  const commit = await resolveRef(repoDir, ref);
  try {
    return await git(repoDir, ['cat-file', 'blob', `${commit}:./${path}`]);
  } catch (e) {
    if (e instanceof GitFailure) throw new InputError(`'${path}' does not exist at git ref '${ref}'`);
    throw e;
  }
}

/**
 * Files under `dir` in the working tree: tracked and untracked-but-not-ignored, minus
 * tracked files deleted on disk. This is what a pull request would contain once
 * committed, so a developer can run the check before committing.
 */
export async function listWorkingFiles(repoDir: string, dir: string): Promise<string[]> {
  await assertRepo(repoDir);
  const out = await git(repoDir, ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', dir]);
  const files = [...new Set(splitZ(out))].sort();
  const present = await Promise.all(files.map((f) => exists(join(repoDir, f))));
  return files.filter((_, i) => present[i]);
}

export function readWorkingFile(repoDir: string, path: string): Promise<string> {
  return readFile(join(repoDir, path), 'utf8');
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function splitZ(out: string): string[] {
  return out.split('\0').filter((s) => s.length > 0);
}
