/**
 * Builds the contracts workflow's pull-request comment (src/contracts/plan/pr-comment.ts)
 * from files the earlier steps wrote, and, given the comments of the pull request as
 * JSON, says which one to update.
 *
 *   tsx scripts/contracts-pr-comment.ts body --check contracts-report.md --plans plans/ \
 *       --source server|sample --sha <sha> --out comment.md
 *     plans/ holds, per changed contract, <n>.file (its path), <n>.txt (what the plan
 *     printed) and <n>.status (its exit code).
 *   tsx scripts/contracts-pr-comment.ts find comments.json
 *     prints the id of the comment carrying the marker, or nothing.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCommentBody, findMarkedComment, type PlanSection } from '../src/contracts/plan/pr-comment';

export function readPlans(dir: string): PlanSection[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.file'))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b))
    .map((n) => {
      const base = join(dir, n.slice(0, -'.file'.length));
      const read = (ext: string) => (existsSync(base + ext) ? readFileSync(base + ext, 'utf8') : '');
      return { file: read('.file').trim(), output: read('.txt'), ok: read('.status').trim() === '0' };
    });
}

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export function main(argv: string[]): string {
  const [what, ...args] = argv;
  if (what === 'find') {
    const comments = JSON.parse(readFileSync(args[0]!, 'utf8')) as Array<{ id: number; body?: string }>;
    // `gh api --paginate` concatenates pages: one array per page, or one flat array.
    const flat = Array.isArray(comments[0])
      ? (comments as unknown as Array<typeof comments>).flat()
      : comments;
    return String(findMarkedComment(flat) ?? '');
  }
  if (what === 'body') {
    const checkFile = arg(args, '--check');
    const body = buildCommentBody({
      check: checkFile && existsSync(checkFile) ? readFileSync(checkFile, 'utf8') : null,
      plans: readPlans(arg(args, '--plans') ?? 'plans'),
      source: arg(args, '--source') === 'server' ? 'server' : 'sample data',
      sha: arg(args, '--sha'),
    });
    const out = arg(args, '--out');
    if (out) writeFileSync(out, body);
    return out ? '' : body;
  }
  throw new Error(
    'usage: contracts-pr-comment.ts body --check <md> --plans <dir> --source <s> --out <file> | find <comments.json>',
  );
}

if (process.argv[1]?.endsWith('contracts-pr-comment.ts')) {
  const printed = main(process.argv.slice(2));
  if (printed) process.stdout.write(printed + '\n');
}
