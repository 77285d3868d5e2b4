/**
 * How a CLI command ends on an error: the exit code a script can act on, and one line
 * on stderr in Tidemark's words. A full disk is "try again later" (75) like an outage.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportError } from '../../src/cli/run-command';
import { InputError } from '../../src/errors';
import { sqliteFullError } from '../support/disk-full';

describe('reportError', () => {
  afterEach(() => vi.restoreAllMocks());

  function report(err: unknown): { code: number; stderr: string } {
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    const code = reportError(err);
    vi.restoreAllMocks();
    return { code, stderr };
  }

  it('a full disk (SQLite\'s own SQLITE_FULL) exits 75 with "disk full", not 70 with a stack', async () => {
    const { code, stderr } = report(await sqliteFullError());
    expect(code).toBe(75);
    expect(stderr).toBe(
      'error: disk full: the database has no space left (SQLITE_FULL); free space on its disk, then retry later\n',
    );
  });

  it('an unreachable database 75, a refusal 1, a bug 70 with its stack', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(report(refused).code).toBe(75);
    expect(report(new InputError('bad'))).toEqual({ code: 1, stderr: 'error: bad\n' });
    const bug = report(new TypeError('x is undefined'));
    expect(bug.code).toBe(70);
    expect(bug.stderr).toMatch(/^internal error: TypeError: x is undefined\n\s+at /);
  });
});
