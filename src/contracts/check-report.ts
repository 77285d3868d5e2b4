/**
 * Renders a CheckResult for people (Markdown, for a PR's job summary) and for tools
 * (JSON with a fixed key order, so diffs of two reports are meaningful).
 */
import { type Issue, formatIssue } from '../errors';
import type { CheckResult, ContractCheck, ContractVerdict } from './check';
import type { ChangeClass, ContractChange } from './compatibility';

const VERDICT_LABEL: Record<ContractVerdict, string> = {
  new: '🆕 new',
  unchanged: '➖ unchanged',
  ok: '✅ ok',
  'bump-mismatch': '❌ bump mismatch',
  'content-changed-without-bump': '❌ changed without bump',
  deleted: '❌ deleted',
  invalid: '❌ invalid',
  skipped: '⚠️ skipped',
};

const CLASSES: Array<{ cls: ChangeClass; title: string }> = [
  { cls: 'breaking', title: 'Breaking' },
  { cls: 'additive', title: 'Additive' },
  { cls: 'cosmetic', title: 'Cosmetic' },
];

export function renderMarkdown(result: CheckResult): string {
  const lines: string[] = ['## Contract check', '', summaryLine(result), '', refsLine(result), ''];
  if (result.contracts.length === 0) {
    lines.push(`No contract files under \`${result.contractsDir}/\`.`);
    return lines.join('\n') + '\n';
  }
  lines.push('| contract | version | required bump | verdict |', '| --- | --- | --- | --- |');
  for (const c of result.contracts) lines.push(tableRow(c));
  for (const c of result.contracts) lines.push(...details(c));
  return lines.join('\n') + '\n';
}

function summaryLine(result: CheckResult): string {
  const failed = result.contracts.filter((c) => !c.ok).length;
  const counts = new Map<ContractVerdict, number>();
  for (const c of result.contracts) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
  const parts = [...counts].map(([v, n]) => `${n} ${v}`).join(', ');
  const n = result.contracts.length;
  const head =
    failed === 0
      ? `✅ **${n} contract${plural(n)} checked, all pass**`
      : `❌ **${failed} of ${n} contract${plural(n)} failed**`;
  return parts ? `${head} (${parts})` : head;
}

function refsLine(result: CheckResult): string {
  const ref = (r: CheckResult['base']) =>
    r.commit ? `\`${r.ref}\` (${r.commit.slice(0, 7)})` : `\`${r.ref}\``;
  return `Base ${ref(result.base)} → head ${ref(result.head)}, contracts in \`${result.contractsDir}/\`.`;
}

function tableRow(c: ContractCheck): string {
  const version =
    c.baseVersion && c.headVersion
      ? `${c.baseVersion} → ${c.headVersion}`
      : c.headVersion
        ? `new → ${c.headVersion}`
        : c.baseVersion
          ? `${c.baseVersion} → deleted`
          : '–';
  const bump = c.requiredBump && c.requiredBump !== 'none' ? c.requiredBump : '–';
  const verdict = c.suggestedVersion
    ? `${VERDICT_LABEL[c.verdict]} (needs ${c.suggestedVersion})`
    : VERDICT_LABEL[c.verdict];
  return `| ${cell(`\`${c.name}\``)} | ${cell(version)} | ${bump} | ${cell(verdict)} |`;
}

/** A section only where there is something to read: changes, problems or notes. */
function details(c: ContractCheck): string[] {
  const interesting = c.changes.length > 0 || c.issues.length > 0 || !c.ok || c.notes.length > 0;
  if (!interesting) return [];
  const file = c.file ?? c.baseFile;
  const out = [
    '',
    `### \`${c.name}\`${file ? ` — \`${file}\`` : ''}`,
    '',
    `${c.ok ? '✅' : '❌'} ${c.reason}`,
  ];
  for (const { cls, title } of CLASSES) {
    const of = c.changes.filter((ch) => ch.class === cls);
    if (of.length > 0) out.push('', `**${title}** (${of.length})`, '', ...of.map(changeLine));
  }
  if (c.issues.length > 0)
    out.push('', `**Lint problems** (${c.issues.length})`, '', ...c.issues.map(issueLine));
  if (c.notes.length > 0) out.push('', ...c.notes.map((n) => `> ${n}`));
  return out;
}

function changeLine(ch: ContractChange): string {
  return `- \`${ch.rule}\` at \`${ch.path}\`: ${ch.message}`;
}

function issueLine(i: Issue): string {
  return `- \`${formatIssue(i).replace(/`/g, "'")}\``;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

// ---------------------------------------------------------------- JSON

export function renderJson(result: CheckResult): string {
  const doc = {
    ok: result.ok,
    base: { ref: result.base.ref, commit: result.base.commit },
    head: { ref: result.head.ref, commit: result.head.commit },
    contractsDir: result.contractsDir,
    contracts: result.contracts.map(contractJson),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** Explicit key order; absent optional fields become null so every entry has the same shape. */
function contractJson(c: ContractCheck) {
  return {
    name: c.name,
    verdict: c.verdict,
    ok: c.ok,
    reason: c.reason,
    file: c.file ?? null,
    baseFile: c.baseFile ?? null,
    baseVersion: c.baseVersion ?? null,
    headVersion: c.headVersion ?? null,
    requiredBump: c.requiredBump ?? null,
    actualBump: c.actualBump ?? null,
    suggestedVersion: c.suggestedVersion ?? null,
    changes: c.changes.map((ch) => ({
      rule: ch.rule,
      class: ch.class,
      path: ch.path,
      message: ch.message,
      before: ch.before ?? null,
      after: ch.after ?? null,
    })),
    issues: c.issues.map((i) => ({
      file: i.file,
      line: i.line,
      column: i.column,
      path: i.path,
      message: i.message,
    })),
    notes: c.notes,
  };
}
