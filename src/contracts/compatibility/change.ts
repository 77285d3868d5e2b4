/**
 * The vocabulary shared by every compatibility rule: the change record, how paths
 * are spelled, how values read in a message, and structural equality.
 */
import { canonicalJson } from '../canonical';

export type ChangeClass = 'breaking' | 'additive' | 'cosmetic';

export interface ContractChange {
  /** Stable id of the rule that fired, e.g. `column.removed`; safe to match on. */
  rule: string;
  class: ChangeClass;
  /** Where in the contract, by identity not index, e.g. `/schema/confirmed/type`. */
  path: string;
  /** One line a reviewer can read without the YAML open. */
  message: string;
  before?: unknown;
  after?: unknown;
}

export function change(
  rule: string,
  cls: ChangeClass,
  path: string,
  message: string,
  before?: unknown,
  after?: unknown,
): ContractChange {
  const c: ContractChange = { rule, class: cls, path, message };
  // Keys are omitted rather than set to undefined so JSON reports stay free of noise.
  if (before !== undefined) c.before = before;
  if (after !== undefined) c.after = after;
  return c;
}

/** JSON-pointer escaping, so a name or expression containing `/` keeps the path unambiguous. */
export function seg(s: string | number): string {
  return String(s).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function ptr(...segments: Array<string | number>): string {
  return '/' + segments.map(seg).join('/');
}

/** A value as a reviewer reads it: bare strings, JSON for the rest, "none" for absent. */
export function show(v: unknown): string {
  if (v === undefined) return 'none';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/**
 * Structural equality on JSON-like values, with the same notion of "same" as the
 * content hash: absent and undefined keys are equal, key order is irrelevant.
 */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return canonicalJson(a) === canonicalJson(b);
}

/** Equality of two arrays read as sets (order and duplicates ignored). */
export function sameSet(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const ka = new Set(a.map((v) => canonicalJson(v)));
  const kb = new Set(b.map((v) => canonicalJson(v)));
  return ka.size === kb.size && [...ka].every((k) => kb.has(k));
}

/** Items of `a` missing from `b`, compared by JSON identity (so 1 and "1" differ). */
export function setMinus<T>(a: readonly T[], b: readonly T[]): T[] {
  const kb = new Set(b.map((v) => canonicalJson(v)));
  return a.filter((v) => !kb.has(canonicalJson(v)));
}

/**
 * Keys that no rule knows about. The format lets authors add keys freely, so a key
 * we cannot classify is reported as breaking: a checker that stays silent about a
 * change it does not understand would let it through with a patch bump.
 */
export function unrecognizedChanges(
  base: object,
  head: object,
  known: readonly string[],
  path: string,
): ContractChange[] {
  const b = base as Record<string, unknown>;
  const h = head as Record<string, unknown>;
  const keys = new Set([...Object.keys(b), ...Object.keys(h)].filter((k) => !known.includes(k)));
  const out: ContractChange[] = [];
  for (const key of [...keys].sort()) {
    if (same(b[key], h[key])) continue;
    const where = `${path}/${seg(key)}`;
    const msg = `'${key}' changed ${show(b[key])} → ${show(h[key])} (no compatibility rule for it; treated as breaking)`;
    out.push(change('unrecognized.changed', 'breaking', where, msg, b[key], h[key]));
  }
  return out;
}
