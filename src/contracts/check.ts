/**
 * `tidemark contracts check`: the pull-request gate. Lints every contract at head,
 * pairs each with its version at the base ref by contract name (so renaming a file
 * is fine), diffs the pairs and checks that each version bump matches its changes.
 * Problems are collected into the result, never thrown: a reviewer should see all of
 * them at once. Only a bad ref or a broken repository throws (InputError).
 */
import { parse as parseYaml } from 'yaml';
import { ContractValidationError, type Issue } from '../errors';
import { type ContractChange, diffContracts } from './compatibility';
import type { ParsedContract } from '../domain/contract';
import { listFilesAtRef, listWorkingFiles, readFileAtRef, readWorkingFile, resolveRef } from './git';
import { parseContract } from './parse';
import { type ActualBump, type Bump, type BumpStatus, checkBump } from './version-bump';

export type ContractVerdict =
  | 'new'
  | 'unchanged'
  | 'ok'
  | 'bump-mismatch'
  | 'content-changed-without-bump'
  | 'deleted'
  | 'invalid'
  | 'skipped';

const FAILING: ReadonlySet<ContractVerdict> = new Set([
  'bump-mismatch',
  'content-changed-without-bump',
  'deleted',
  'invalid',
]);

export interface ContractCheck {
  /** The contract name; for a file too broken to name, its path. */
  name: string;
  verdict: ContractVerdict;
  ok: boolean;
  /** One sentence: why this verdict. */
  reason: string;
  /** Head file (absent when deleted) and base file (absent when new). */
  file?: string;
  baseFile?: string;
  baseVersion?: string;
  headVersion?: string;
  requiredBump?: Bump;
  actualBump?: ActualBump;
  /** The smallest version that would pass, when the bump is wrong. */
  suggestedVersion?: string;
  changes: ContractChange[];
  /** Lint problems of the head file, each with file, line and column. */
  issues: Issue[];
  notes: string[];
}

export interface RefInfo {
  /** As given (`origin/main`), or `working tree`. */
  ref: string;
  /** Full sha, or null for a working tree of a repository without commits. */
  commit: string | null;
}

export interface CheckResult {
  ok: boolean;
  base: RefInfo;
  head: RefInfo;
  contractsDir: string;
  /** Sorted by name, then file. */
  contracts: ContractCheck[];
}

export interface CheckOptions {
  repoDir: string;
  /** Git ref to compare against, e.g. `origin/main`. */
  base: string;
  /** Git ref to check; default: the working tree, so it can run before committing. */
  head?: string;
  contractsDir?: string;
}

export async function runContractsCheck(opts: CheckOptions): Promise<CheckResult> {
  const { repoDir, base, head } = opts;
  const contractsDir = opts.contractsDir ?? 'contracts';
  const baseRef: RefInfo = { ref: base, commit: await resolveRef(repoDir, base) };
  const headRef: RefInfo = head
    ? { ref: head, commit: await resolveRef(repoDir, head) }
    : { ref: 'working tree', commit: await resolveRef(repoDir, 'HEAD').catch(() => null) };
  const baseFiles = loadAll(await readAt(repoDir, base, contractsDir));
  const headFiles = markDuplicates(loadAll(await readAt(repoDir, head ?? null, contractsDir)));
  const contracts = pairAndJudge(baseFiles, headFiles).sort(
    (a, b) =>
      a.name.localeCompare(b.name) || (a.file ?? a.baseFile ?? '').localeCompare(b.file ?? b.baseFile ?? ''),
  );
  return { ok: contracts.every((c) => c.ok), base: baseRef, head: headRef, contractsDir, contracts };
}

// ---------------------------------------------------------------- reading

interface FileText {
  file: string;
  text: string;
}

const isContractFile = (f: string) => /\.ya?ml$/i.test(f);

async function readAt(repoDir: string, ref: string | null, dir: string): Promise<FileText[]> {
  const files = (ref ? await listFilesAtRef(repoDir, ref, dir) : await listWorkingFiles(repoDir, dir)).filter(
    isContractFile,
  );
  return Promise.all(
    files.map(async (file) => ({
      file,
      text: ref ? await readFileAtRef(repoDir, ref, file) : await readWorkingFile(repoDir, file),
    })),
  );
}

type Loaded =
  | { kind: 'valid'; file: string; parsed: ParsedContract }
  | { kind: 'invalid'; file: string; issues: Issue[]; name?: string };

function loadAll(files: FileText[]): Loaded[] {
  return files.map(({ file, text }) => {
    try {
      return { kind: 'valid', file, parsed: parseContract(text, file) };
    } catch (e) {
      if (!(e instanceof ContractValidationError)) throw e;
      return { kind: 'invalid', file, issues: e.issues, name: guessName(text) };
    }
  });
}

/** The `name:` of a document that failed validation, so it still pairs with its base. */
function guessName(text: string): string | undefined {
  try {
    const doc: unknown = parseYaml(text);
    const name = (doc as { name?: unknown } | null)?.name;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Two files claiming one name would register two different contents under it. */
function markDuplicates(files: Loaded[]): Loaded[] {
  const firstFile = new Map<string, string>();
  return files.map((f) => {
    if (f.kind !== 'valid') return f;
    const name = f.parsed.contract.name;
    const first = firstFile.get(name);
    if (first === undefined) {
      firstFile.set(name, f.file);
      return f;
    }
    const message = `contract name '${name}' is already defined in ${first}`;
    return {
      kind: 'invalid',
      file: f.file,
      name,
      issues: [{ file: f.file, path: '/name', line: 0, column: 0, message }],
    };
  });
}

// ---------------------------------------------------------------- judging

function pairAndJudge(baseFiles: Loaded[], headFiles: Loaded[]): ContractCheck[] {
  const claimed = new Set<Loaded>();
  const claim = (name: string | undefined, file: string): Loaded | undefined => {
    const found =
      baseFiles.find((b) => !claimed.has(b) && name !== undefined && nameOf(b) === name) ??
      baseFiles.find((b) => !claimed.has(b) && b.file === file);
    if (found) claimed.add(found);
    return found;
  };
  const out: ContractCheck[] = [];
  // Valid head files claim first, so a broken duplicate cannot steal their base.
  for (const h of headFiles)
    if (h.kind === 'valid') out.push(judgeHead(h, claim(h.parsed.contract.name, h.file)));
  for (const h of headFiles) if (h.kind === 'invalid') out.push(invalid(h, claim(h.name, h.file)));
  for (const b of baseFiles) if (!claimed.has(b)) out.push(gone(b));
  return out;
}

function nameOf(l: Loaded): string | undefined {
  return l.kind === 'valid' ? l.parsed.contract.name : l.name;
}

function entry(
  name: string,
  verdict: ContractVerdict,
  reason: string,
  extra: Partial<ContractCheck> = {},
): ContractCheck {
  return { name, verdict, ok: !FAILING.has(verdict), reason, changes: [], issues: [], notes: [], ...extra };
}

function judgeHead(h: Extract<Loaded, { kind: 'valid' }>, base: Loaded | undefined): ContractCheck {
  const c = h.parsed.contract;
  const where = { file: h.file, headVersion: c.version };
  if (!base) return entry(c.name, 'new', `new contract at ${c.version}`, where);
  if (base.kind === 'invalid') {
    const note = `the base version of ${base.file} does not parse, so it was not compared: ${base.issues[0]?.message ?? 'invalid'}`;
    return entry(c.name, 'skipped', 'base version invalid; not compared', {
      ...where,
      baseFile: base.file,
      notes: [note],
    });
  }
  return compare(base, h);
}

const BUMP_VERDICT: Record<BumpStatus, ContractVerdict> = {
  unchanged: 'unchanged',
  ok: 'ok',
  'over-bump': 'ok',
  'version-only': 'ok',
  'no-bump': 'content-changed-without-bump',
  'under-bump': 'bump-mismatch',
  downgrade: 'bump-mismatch',
};

function compare(
  base: Extract<Loaded, { kind: 'valid' }>,
  head: Extract<Loaded, { kind: 'valid' }>,
): ContractCheck {
  const b = base.parsed.contract;
  const h = head.parsed.contract;
  const changes = diffContracts(b, h);
  const v = checkBump(b, h, changes);
  const notes: string[] = [];
  if (base.file !== head.file) notes.push(`file renamed ${base.file} → ${head.file}`);
  if (v.status === 'over-bump' || v.status === 'version-only') notes.push(v.reason);
  return entry(h.name, BUMP_VERDICT[v.status], v.reason, {
    file: head.file,
    baseFile: base.file,
    baseVersion: b.version,
    headVersion: h.version,
    requiredBump: v.required,
    actualBump: v.actual,
    ...(v.suggested ? { suggestedVersion: v.suggested } : {}),
    changes,
    notes,
  });
}

function invalid(h: Extract<Loaded, { kind: 'invalid' }>, base: Loaded | undefined): ContractCheck {
  const n = h.issues.length;
  return entry(h.name ?? h.file, 'invalid', `${n} lint problem${n === 1 ? '' : 's'}`, {
    file: h.file,
    ...(base ? { baseFile: base.file } : {}),
    ...(base?.kind === 'valid' ? { baseVersion: base.parsed.contract.version } : {}),
    issues: h.issues,
  });
}

/** A base contract no head file claims. */
function gone(b: Loaded): ContractCheck {
  if (b.kind === 'invalid') {
    const note = 'it was already invalid at base, so nothing registered can depend on it';
    return entry(b.name ?? b.file, 'skipped', 'invalid file removed', { baseFile: b.file, notes: [note] });
  }
  const c = b.parsed.contract;
  const reason = `contract deleted: registered versions are immutable and consumers may pin ${c.name}@${c.version}`;
  return entry(c.name, 'deleted', reason, { baseFile: b.file, baseVersion: c.version });
}
