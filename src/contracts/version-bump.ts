/**
 * Does the version bump match the change? breaking → major, additive → minor,
 * cosmetic → patch, and `(name, version)` is immutable: any content change needs a
 * new version.
 *
 * Decisions:
 * - No 0.x leniency. In Tidemark the major is the feature view: rows are stored
 *   under it and consumers pin it. A breaking change inside 0.x would mix
 *   incompatible rows in view 0, so breaking needs a new major there too.
 * - Bumps are measured on major.minor.patch. A prerelease-only step
 *   (1.2.0-rc.1 → 1.2.0-rc.2, or → 1.2.0) counts as a patch: releasing 1.0.0 after
 *   1.0.0-rc.1 stays in view 1, so it cannot carry a breaking change.
 * - Over-bumping (major for an additive change) is allowed and noted.
 */
import semver from 'semver';
import { InputError } from '../errors';
import type { Contract } from '../domain/contract';
import { canonicalJson } from './canonical';
import type { ContractChange } from './compatibility';

export type Bump = 'major' | 'minor' | 'patch' | 'none';
export type ActualBump = Bump | 'downgrade';

export type BumpStatus =
  | 'unchanged' // same content, same version
  | 'ok' // bump matches the change
  | 'over-bump' // bigger bump than needed: allowed
  | 'version-only' // new version, identical content: allowed
  | 'no-bump' // content changed, version did not
  | 'under-bump' // bump too small for the change
  | 'downgrade'; // version went backwards

export interface BumpVerdict {
  ok: boolean;
  status: BumpStatus;
  required: Bump;
  actual: ActualBump;
  /** A sentence for the report, e.g. why it fails and which version would pass. */
  reason: string;
  /** The smallest version that would pass, when the verdict is not ok. */
  suggested?: string;
}

const RANK: Record<Bump, number> = { none: 0, patch: 1, minor: 2, major: 3 };
const NEEDED: Record<'breaking' | 'additive' | 'cosmetic', Bump> = {
  breaking: 'major',
  additive: 'minor',
  cosmetic: 'patch',
};

export function requiredBump(changes: readonly ContractChange[]): Bump {
  let bump: Bump = 'none';
  for (const c of changes) if (RANK[NEEDED[c.class]] > RANK[bump]) bump = NEEDED[c.class];
  return bump;
}

export function actualBump(baseVersion: string, headVersion: string): ActualBump {
  const b = parseVersion(baseVersion);
  const h = parseVersion(headVersion);
  const order = semver.compare(h, b);
  if (order === 0) return 'none';
  if (order < 0) return 'downgrade';
  if (h.major !== b.major) return 'major';
  if (h.minor !== b.minor) return 'minor';
  return 'patch';
}

function parseVersion(v: string): semver.SemVer {
  const parsed = semver.parse(v);
  if (!parsed) throw new InputError(`'${v}' is not a semantic version (e.g. 1.2.0 or 2.0.0-rc.1)`);
  return parsed;
}

/** The smallest release of the needed kind after `base` (prerelease tags dropped). */
export function nextVersion(base: string, bump: Exclude<Bump, 'none'>): string {
  const v = parseVersion(base);
  if (bump === 'major') return `${v.major + 1}.0.0`;
  if (bump === 'minor') return `${v.major}.${v.minor + 1}.0`;
  return `${v.major}.${v.minor}.${v.patch + 1}`;
}

/** Content equality ignoring the version itself, with the same notion as the content hash. */
export function sameContent(base: Contract, head: Contract): boolean {
  return canonicalJson({ ...base, version: null }) === canonicalJson({ ...head, version: null });
}

/**
 * Contracts or bare versions. With bare versions (e.g. the registry, which has
 * already ruled out same-version content changes by hash) the content counts as
 * changed exactly when the diff found something.
 */
export type Versioned = Contract | string;

const versionOf = (v: Versioned): string => (typeof v === 'string' ? v : v.version);

export function checkBump(base: Versioned, head: Versioned, changes: readonly ContractChange[]): BumpVerdict {
  const from = versionOf(base);
  const to = versionOf(head);
  const contentChanged =
    typeof base === 'string' || typeof head === 'string' ? changes.length > 0 : !sameContent(base, head);
  // Even a change no rule classifies (e.g. `required: false` spelled out) alters registered content.
  const fromRules = requiredBump(changes);
  const required: Bump = contentChanged && fromRules === 'none' ? 'patch' : fromRules;
  const actual = actualBump(from, to);
  const j = judge({ from, to, actual, required, contentChanged, changes });
  const verdict: BumpVerdict = { ok: j.ok, status: j.status, required, actual, reason: j.reason };
  if (!j.ok) verdict.suggested = nextVersion(from, required === 'none' ? 'patch' : required);
  return verdict;
}

interface BumpFacts {
  from: string;
  to: string;
  actual: ActualBump;
  required: Bump;
  contentChanged: boolean;
  changes: readonly ContractChange[];
}

function judge(f: BumpFacts): { ok: boolean; status: BumpStatus; reason: string } {
  const arrow = `${f.from} → ${f.to}`;
  const kind = classWord(f.required);
  if (f.actual === 'downgrade') {
    return { ok: false, status: 'downgrade', reason: `${arrow} goes backwards: versions must increase` };
  }
  if (!f.contentChanged) {
    return f.actual === 'none'
      ? { ok: true, status: 'unchanged', reason: `unchanged at ${f.to}` }
      : { ok: true, status: 'version-only', reason: `${arrow} is a ${f.actual} bump with no content change` };
  }
  if (f.actual === 'none') {
    const reason = `registered content changed without a version bump (${f.to}): ${because(f.changes, f.required)}`;
    return { ok: false, status: 'no-bump', reason };
  }
  if (RANK[f.actual] < RANK[f.required]) {
    const needs = nextVersion(f.from, f.required as Exclude<Bump, 'none'>);
    const reason = `${arrow} is a ${f.actual} bump but the change is ${kind} (${because(f.changes, f.required)}): needs ${needs}`;
    return { ok: false, status: 'under-bump', reason };
  }
  if (RANK[f.actual] > RANK[f.required]) {
    const reason = `${arrow} is a ${f.actual} bump; a ${f.required} bump would do (${kind} change)`;
    return { ok: true, status: 'over-bump', reason };
  }
  return { ok: true, status: 'ok', reason: `${arrow} is a ${f.actual} bump for a ${kind} change` };
}

function classWord(bump: Bump): string {
  return bump === 'major' ? 'breaking' : bump === 'minor' ? 'additive' : 'cosmetic';
}

/** Names the first change that forces the bump, so the reason points at a line to look at. */
function because(changes: readonly ContractChange[], required: Bump): string {
  const first = changes.find((c) => NEEDED[c.class] === required);
  if (!first) return 'content differs though no rule classifies the difference';
  const more = changes.filter((c) => NEEDED[c.class] === required).length - 1;
  return `${first.rule} at ${first.path}${more > 0 ? ` and ${more} more` : ''}`;
}
