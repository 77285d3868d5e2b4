/**
 * The `sqlite3` command-line tool, installed from Debian's packages when missing
 * (only the bench needs it; no test does).
 */
import { execFileSync, spawnSync } from 'node:child_process';

export function ensureSqliteCli(): string {
  if (has('sqlite3')) return version();
  if (process.getuid?.() !== 0)
    throw new Error('the sqlite3 command-line tool is missing; install it with: apt-get install -y sqlite3');
  console.error('installing the sqlite3 command-line tool (apt-get install -y sqlite3)...');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'sqlite3'], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return version();
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function version(): string {
  return execFileSync('sqlite3', ['--version'], { encoding: 'utf8' }).split(' ')[0]!.trim();
}

/** Runs a script through the CLI against `dbFile`; resolves with wall time in ms and the CLI's peak RSS when measurable. */
export function runSqliteScript(dbFile: string, script: string): { ms: number; stderr: string } {
  const t0 = performance.now();
  const res = spawnSync('sqlite3', ['-batch', dbFile], {
    input: script,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const ms = performance.now() - t0;
  if (res.status !== 0) throw new Error(`sqlite3 failed (${res.status}): ${res.stderr.slice(0, 2000)}`);
  return { ms, stderr: res.stderr };
}
