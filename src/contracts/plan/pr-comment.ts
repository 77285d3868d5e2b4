/**
 * The one pull-request comment the contracts workflow keeps up to date: the text
 * check's report and each changed contract's plan, under a hidden marker by which the
 * workflow finds its earlier comment and edits it instead of adding another. Pure: the
 * workflow does the I/O (scripts/contracts-pr-comment.ts, `gh api`).
 */

/** First line of the comment; never shown, found again on the next push. */
export const COMMENT_MARKER = '<!-- tidemark-contracts-report -->';

/** GitHub refuses comment bodies over 65,536 characters; plans are cut to fit below it. */
export const MAX_COMMENT_CHARS = 65_000;

export interface PlanSection {
  /** The contract file, as the pull request names it. */
  file: string;
  /** What `contracts plan` printed (its report, or its error). */
  output: string;
  ok: boolean;
}

export interface CommentInput {
  /** The Markdown report of `contracts check`; null when it produced none. */
  check: string | null;
  plans: PlanSection[];
  /** Where the plans' data came from. */
  source: 'server' | 'sample data';
  /** The commit the comment describes. */
  sha?: string;
}

export function buildCommentBody(input: CommentInput): string {
  const head = [COMMENT_MARKER, '## Contract review', ''];
  if (input.sha)
    head.push(`For commit ${input.sha.slice(0, 12)}; this comment is updated on every push.`, '');
  const check = input.check?.trim()
    ? input.check.trim()
    : '_The contract check produced no report; see the job log._';
  const parts = [...head, '### Compatibility check', '', check, '', '### Data plan', ''];
  if (input.plans.length === 0) parts.push('_No contract file changed: nothing to plan._');
  else
    parts.push(
      input.source === 'server'
        ? "Replayed the last runs' kept raw batches on the configured Tidemark server; nothing was written there."
        : 'No server is configured (secrets `TIDEMARK_URL`, `TIDEMARK_API_KEY`): replayed on the committed sample data (`seeds/`).',
      '',
    );
  const fixed = parts.join('\n');
  // What the plans may use, shared evenly: one huge plan must not push the others out.
  const budget = Math.floor((MAX_COMMENT_CHARS - fixed.length - 200) / Math.max(1, input.plans.length));
  const sections = input.plans.map((p) => section(p, budget));
  return [fixed, ...sections].join('\n').trimEnd() + '\n';
}

function section(p: PlanSection, budget: number): string {
  const title = `#### \`${p.file}\`${p.ok ? '' : ' — the plan could not be made'}`;
  let body = p.output.trimEnd();
  const room = Math.max(0, budget - title.length - 100);
  if (body.length > room) body = `${body.slice(0, room)}\n… (cut: the whole plan is in the job log)`;
  return [title, '', fence(body), ''].join('\n');
}

/** A code fence longer than any run of backticks inside, so no output can close it early. */
function fence(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}text\n${text}\n${ticks}`;
}

/** The id of the workflow's earlier comment among a pull request's comments, if any. */
export function findMarkedComment(
  comments: ReadonlyArray<{ id: number; body?: string | null }>,
): number | null {
  return comments.find((c) => c.body?.startsWith(COMMENT_MARKER))?.id ?? null;
}
