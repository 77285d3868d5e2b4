/**
 * The contracts workflow's pull-request comment: one body with the check and every
 * plan, under the marker the next push finds it by; cut to GitHub's size limit; and the
 * workflow file that builds and posts it stays valid and wired to these scripts.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  buildCommentBody,
  COMMENT_MARKER,
  findMarkedComment,
  MAX_COMMENT_CHARS,
} from '../../../src/contracts/plan/pr-comment';
import { main } from '../../../scripts/contracts-pr-comment';
import { REPO } from '../../support/cli';

const CHECK = '## Contract check\n\n| contract | verdict |\n| --- | --- |\n| country_daily | ok |\n';

describe('the pull-request comment', () => {
  it('holds the marker, the check and each plan fenced', () => {
    const body = buildCommentBody({
      check: CHECK,
      plans: [
        { file: 'contracts/a.yaml', output: 'plan  a@2.0.0 against 1.0.0 (active) in dev\n', ok: true },
        { file: 'contracts/b.yaml', output: 'error: contracts/b.yaml:3:1 /: bad', ok: false },
      ],
      source: 'sample data',
      sha: '0123456789abcdef0123',
    });
    expect(body.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    expect(body).toContain('| country_daily | ok |');
    expect(body).toContain('For commit 0123456789ab');
    expect(body).toContain('committed sample data');
    expect(body).toContain(
      '#### `contracts/a.yaml`\n\n```text\nplan  a@2.0.0 against 1.0.0 (active) in dev\n```',
    );
    expect(body).toContain('#### `contracts/b.yaml` — the plan could not be made');
  });

  it('a plan holding backticks cannot close its fence', () => {
    const body = buildCommentBody({
      check: CHECK,
      plans: [{ file: 'c.yaml', output: 'value ```` inside', ok: true }],
      source: 'server',
    });
    expect(body).toContain('`````text\nvalue ```` inside\n`````');
    expect(body).toContain('configured Tidemark server');
  });

  it("stays under GitHub's limit, cutting each plan to its share", () => {
    const huge = 'x'.repeat(200_000);
    const body = buildCommentBody({
      check: CHECK,
      plans: [
        { file: 'a.yaml', output: huge, ok: true },
        { file: 'b.yaml', output: 'short plan', ok: true },
      ],
      source: 'server',
    });
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(body).toContain('(cut: the whole plan is in the job log)');
    expect(body).toContain('short plan');
  });

  it('says so when the check made no report or no contract changed', () => {
    const body = buildCommentBody({ check: null, plans: [], source: 'sample data' });
    expect(body).toContain('produced no report');
    expect(body).toContain('No contract file changed');
  });

  it('finds its earlier comment by the marker only', () => {
    expect(
      findMarkedComment([
        { id: 1, body: 'LGTM' },
        { id: 2, body: `quoting ${COMMENT_MARKER}` },
        { id: 3, body: `${COMMENT_MARKER}\n## Contract review` },
      ]),
    ).toBe(3);
    expect(findMarkedComment([{ id: 1, body: null }])).toBeNull();
  });
});

describe('scripts/contracts-pr-comment.ts', () => {
  it('builds the body from the files the workflow writes, and finds the comment in slurped pages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-comment-'));
    try {
      const plans = join(dir, 'plans');
      const write = (name: string, text: string) => writeFileSync(join(plans, name), text);
      mkdirSync(plans);
      write('1.file', 'contracts/country_daily.yaml\n');
      write('1.txt', 'plan  country_daily@2.0.0 against 1.0.0 (active) in dev\n');
      write('1.status', '0\n');
      write('2.file', 'contracts/bad.yaml\n');
      write('2.txt', 'error: contracts/bad.yaml:2:3 /: wrong indentation\n');
      write('2.status', '1\n');
      writeFileSync(join(dir, 'report.md'), CHECK);
      const out = join(dir, 'comment.md');
      main(['body', '--check', join(dir, 'report.md'), '--plans', plans, '--source', 'sample', '--out', out]);
      const body = readFileSync(out, 'utf8');
      expect(body.indexOf('country_daily.yaml')).toBeLessThan(body.indexOf('bad.yaml'));
      expect(body).toContain('#### `contracts/bad.yaml` — the plan could not be made');

      const pages = [[{ id: 10, body: 'hi' }], [{ id: 11, body: `${COMMENT_MARKER}\nold` }]];
      writeFileSync(join(dir, 'comments.json'), JSON.stringify(pages));
      expect(main(['find', join(dir, 'comments.json')])).toBe('11');
      writeFileSync(join(dir, 'comments.json'), JSON.stringify([]));
      expect(main(['find', join(dir, 'comments.json')])).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('.github/workflows/contracts.yml', () => {
  const workflow = parse(readFileSync(join(REPO, '.github/workflows/contracts.yml'), 'utf8')) as {
    permissions: Record<string, string>;
    jobs: {
      check: { steps: Array<{ name?: string; if?: string; run?: string; env?: Record<string, string> }> };
    };
  };
  const steps = workflow.jobs.check.steps;

  it('plans and comments even when the check failed, with a token that may comment', () => {
    expect(workflow.permissions['pull-requests']).toBe('write');
    const after = steps.slice(steps.findIndex((s) => s.name?.startsWith('Check contracts')) + 1);
    expect(after.length).toBeGreaterThanOrEqual(4);
    for (const s of after) expect(s.if, s.name).toMatch(/^always\(\)/);
  });

  it('runs scripts that exist, and keeps the API key out of command lines', () => {
    const runs = steps.map((s) => s.run ?? '').join('\n');
    for (const script of runs.match(/scripts\/[\w.-]+\.ts/g) ?? [])
      expect(existsSync(join(REPO, script)), script).toBe(true);
    expect(runs).toContain('contracts plan "$file"');
    expect(runs).not.toMatch(/--key/);
    const plan = steps.find((s) => s.name === 'Plan each changed contract')!;
    expect(plan.env!.TIDEMARK_API_KEY).toBe('${{ secrets.TIDEMARK_API_KEY }}');
  });
});
