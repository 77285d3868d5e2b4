/**
 * `tidemark rollback` does what GraphQL rollbackRun does, in a one-shot process: the
 * later runs whose window features read the rolled-back rows are reprocessed before
 * the command ends (it once closed the database under that work, hung for a minute
 * on a knex pool timeout, logged "rollback reaction failed" and left them stale).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCliHome, type CliHome } from '../support/cli';

describe('tidemark rollback', () => {
  let home: CliHome;
  beforeEach(async () => void (home = await createCliHome()));
  afterEach(() => home.dispose());

  const runIdOf = (stdout: string) => /^(run_\w+)/.exec(stdout)![1]!;

  it('reprocesses the later runs before it exits, and logs no failure', async () => {
    expect((await home.cli(['contracts', 'apply'])).code).toBe(0);
    home.land('country_daily/2020-q1.csv');
    const first = await home.cli(['run', 'country_daily']);
    expect(first.code, first.stderr).toBe(0);
    home.land('country_daily/2020-q2.csv');
    const second = await home.cli(['run', 'country_daily']);
    expect(second.code, second.stderr).toBe(0);

    const r = await home.cli(['rollback', runIdOf(first.stdout)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/ROLLED_BACK/);
    expect(lines[1]).toContain(`reprocessed later run ${runIdOf(second.stdout)}: `);
    expect(lines[1]).toMatch(/reprocess\s+SUCCEEDED/);

    // What it left behind: the later run superseded by its reprocess, which read q2 alone.
    const runs = JSON.parse((await home.cli(['runs', '--json'])).stdout) as Array<Record<string, unknown>>;
    expect(runs.map((x) => [x.trigger, x.status])).toEqual([
      ['reprocess', 'SUCCEEDED'],
      ['manual', 'SUPERSEDED'],
      ['manual', 'ROLLED_BACK'],
    ]);
  }, 180_000);

  it('refuses a run that does not exist, naming it, exit 1', async () => {
    const r = await home.cli(['rollback', 'run_nope']);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe("error: run 'run_nope' does not exist\n");
  }, 30_000);
});
