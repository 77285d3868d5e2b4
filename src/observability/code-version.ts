/**
 * The version of the code that runs: the git commit when Tidemark runs from a
 * checkout (with `+dirty` when it has local changes), the package version otherwise.
 * Every run records it, so a feature row can be traced to the code that made it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function detectCodeVersion(): string {
  try {
    const git = (args: string[]) =>
      execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    const sha = git(['rev-parse', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--untracked-files=no', '--', 'src', 'migrations']) !== '';
    return dirty ? `${sha.slice(0, 12)}+dirty` : sha.slice(0, 12);
  } catch {
    return `v${packageVersion()}`;
  }
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
