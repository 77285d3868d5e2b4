/**
 * Runs Debian's python3 (with python3-pandas, which .ci/run installs) on a script of the
 * repository, the Python client on PYTHONPATH: nothing comes from PyPI.
 * TIDEMARK_PYTHON names another interpreter.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './cli';

export const PYTHON =
  process.env.TIDEMARK_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

export function runPython(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, {
      cwd: REPO,
      env: { ...process.env, PYTHONPATH: join(REPO, 'clients', 'python'), ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}
