/**
 * Rules for features. A feature's name is what consumers select; how it is computed
 * is what its values mean. Same name, different computation means the stored history
 * and the new values disagree, so any change of computation is breaking.
 */
import type { Contract, FeatureSpec, WindowSpec } from '../../domain/contract';
import { parseIsoDuration } from '../../lib/duration';
import { change, type ContractChange, ptr, show, unrecognizedChanges } from './change';
import { matchByKey } from './match';
import { typeFeatures } from '../feature-type';
import { type FeatureType } from '../../domain/contract';
import { featureTypes } from '../served-types';
import { compileExpression } from '../../pipeline/expression';

const FEATURE_KEYS = ['name', 'column', 'expr', 'window', 'description', 'type'] as const;
const WINDOW_KEYS = ['op', 'column', 'rows', 'duration', 'offset', 'skipNulls'] as const;

export function diffFeatures(base: Contract, head: Contract): ContractChange[] {
  const m = matchByKey(base.features, head.features, (f) => f.name);
  const out: ContractChange[] = [];
  for (const f of m.removed) {
    out.push(
      change('feature.removed', 'breaking', ptr('features', f.name), `feature '${f.name}' removed`, f),
    );
  }
  for (const f of m.added) {
    out.push(
      change('feature.added', 'additive', ptr('features', f.name), `feature '${f.name}' added`, undefined, f),
    );
  }
  const baseTypes = effectiveTypes(base);
  const headTypes = effectiveTypes(head);
  for (const p of m.pairs) {
    out.push(...diffFeature(p.base, p.head, head));
    // A declared type that changes the served type is reported by featureTypeChanges below.
    if (p.base.type !== p.head.type && baseTypes.get(p.head.name) === headTypes.get(p.head.name))
      out.push(...typeDeclared(p.head.name, headTypes.get(p.head.name)!, p.head));
  }
  out.push(...featureTypeChanges(base, head, m.pairs));
  if (m.reordered) {
    const names = (c: Contract) => c.features.map((f) => f.name);
    out.push(
      change(
        'features.reordered',
        'cosmetic',
        ptr('features'),
        'features reordered',
        names(base),
        names(head),
      ),
    );
  }
  return out;
}

type Kind = 'column' | 'expr' | 'window';

function kind(f: FeatureSpec): Kind {
  if (f.window !== undefined) return 'window';
  return f.expr !== undefined ? 'expr' : 'column';
}

function diffFeature(b: FeatureSpec, h: FeatureSpec, head: Contract): ContractChange[] {
  const path = ptr('features', h.name);
  const out: ContractChange[] = [];
  const kb = kind(b);
  const kh = kind(h);
  if (kb !== kh) {
    const msg = `feature '${h.name}' now computed from ${kh} instead of ${kb}`;
    out.push(change('feature.source_changed', 'breaking', path, msg, b[kb], h[kh]));
  } else if (kh === 'column' && b.column !== h.column) {
    const msg = `feature '${h.name}' column changed ${show(b.column)} → ${show(h.column)}`;
    out.push(change('feature.column_changed', 'breaking', `${path}/column`, msg, b.column, h.column));
  } else if (kh === 'expr') {
    out.push(...exprChange(h.name, path, b.expr!, h.expr!));
  } else if (kh === 'window') {
    out.push(...windowChanges(h.name, `${path}/window`, b.window!, h.window!, dependents(head, h.name)));
  }
  if (b.description !== h.description) {
    const msg = `feature '${h.name}' description changed`;
    out.push(
      change(
        'feature.description_changed',
        'cosmetic',
        `${path}/description`,
        msg,
        b.description,
        h.description,
      ),
    );
  }
  out.push(...unrecognizedChanges(b, h, FEATURE_KEYS, path));
  return out;
}

function effectiveTypes(c: Contract): Map<string, FeatureType> {
  return new Map(typeFeatures(c).features.map((f) => [f.name, f.type] as const));
}

/** Declaring the type a feature already had (or no longer declaring it) is cosmetic. */
function typeDeclared(name: string, h: FeatureType, head: FeatureSpec): ContractChange[] {
  const path = `${ptr('features', name)}/type`;
  const msg = `feature '${name}' type ${head.type ? 'declared' : 'no longer declared'} (still ${h})`;
  return [change('feature.type_declared', 'cosmetic', path, msg, h, h)];
}

function exprChange(name: string, path: string, b: string, h: string): ContractChange[] {
  if (b === h) return [];
  if (normalizeExpr(b) === normalizeExpr(h)) {
    const msg = `feature '${name}' expression reformatted (same tokens)`;
    return [change('feature.expr_reformatted', 'cosmetic', `${path}/expr`, msg, b, h)];
  }
  const msg = `feature '${name}' expression changed '${b}' → '${h}'`;
  return [change('feature.expr_changed', 'breaking', `${path}/expr`, msg, b, h)];
}

/**
 * Drops whitespace that cannot separate tokens: outside string literals, and not
 * between two word characters or two operator characters (`a - -b` is not `a --b`).
 * Conservative on purpose: a false "changed" costs a major bump, a false "same" a bug.
 */
export function normalizeExpr(expr: string): string {
  let out = '';
  let quote: string | null = null;
  let pendingSpace = false;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i]!;
    if (quote) {
      out += ch;
      if (ch === '\\' && i + 1 < expr.length) out += expr[++i];
      else if (ch === quote) quote = null;
      continue;
    }
    if (/\s/.test(ch)) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace && sameTokenClass(out[out.length - 1]!, ch)) out += ' ';
    pendingSpace = false;
    if (ch === '"' || ch === "'") quote = ch;
    out += ch;
  }
  return out;
}

function sameTokenClass(a: string, b: string): boolean {
  const cls = (c: string) => (/\w/.test(c) ? 'word' : /[()[\]{},'"]/.test(c) ? 'bracket' : 'op');
  return cls(a) === cls(b) && cls(a) !== 'bracket';
}

/**
 * The operation and the length of a window are what its values mean (a 7-row sum is not
 * a 14-row sum, nor a 7-row mean): each has its own rule, naming the features computed
 * from this one, whose values change with it.
 */
function windowChanges(
  name: string,
  path: string,
  b: WindowSpec,
  h: WindowSpec,
  readers: string[],
): ContractChange[] {
  const out: ContractChange[] = [];
  const also =
    readers.length > 0 ? `; also changes ${readers.map((r) => `'${r}'`).join(', ')}, computed from it` : '';
  const diff = (key: string, before: unknown, after: unknown, rule = 'feature.window_changed') => {
    const msg = `feature '${name}' window ${key} changed ${show(before)} → ${show(after)}${also}`;
    out.push(change(rule, 'breaking', `${path}/${key}`, msg, before, after));
  };
  if (b.op !== h.op) diff('op', b.op, h.op, 'feature.window_op_changed');
  if (b.column !== h.column) diff('column', b.column, h.column);
  if (b.rows !== h.rows) diff('rows', b.rows, h.rows, 'feature.window_length_changed');
  // lag/diff default to one row back: spelling out the default changes nothing.
  if ((b.offset ?? 1) !== (h.offset ?? 1)) diff('offset', b.offset, h.offset);
  // Skipping nulls changes every value next to a null; false is the default.
  if ((b.skipNulls ?? false) !== (h.skipNulls ?? false)) diff('skipNulls', b.skipNulls, h.skipNulls);
  if (b.duration !== h.duration) {
    if (durationMs(b.duration) !== durationMs(h.duration))
      diff('duration', b.duration, h.duration, 'feature.window_length_changed');
    else {
      const msg = `feature '${name}' window duration respelled ${show(b.duration)} → ${show(h.duration)} (same length)`;
      out.push(
        change('feature.window_reformatted', 'cosmetic', `${path}/duration`, msg, b.duration, h.duration),
      );
    }
  }
  out.push(...unrecognizedChanges(b, h, WINDOW_KEYS, path));
  return out;
}

/** Features of `c` computed from feature `name` (a window over it, or an expression naming it), transitively. */
export function dependents(c: Contract, name: string): string[] {
  const out: string[] = [];
  const known = [...c.schema.map((s) => s.name), ...c.features.map((f) => f.name)];
  const reads = (f: FeatureSpec, n: string) =>
    f.window?.column === n || (f.expr !== undefined && exprNames(f.expr, known).includes(n));
  const queue = [name];
  while (queue.length > 0) {
    const n = queue.shift()!;
    for (const f of c.features) {
      if (f.name !== name && !out.includes(f.name) && reads(f, n)) {
        out.push(f.name);
        queue.push(f.name);
      }
    }
  }
  return out;
}

/**
 * The contract with each feature after the features it reads: a feature's type follows
 * from its inputs', so reordering the list must not look like a change of type.
 */
function inDependencyOrder(c: Contract): Contract {
  const byName = new Map(c.features.map((f) => [f.name, f] as const));
  const known = [...c.schema.map((s) => s.name), ...byName.keys()];
  const done = new Set<string>();
  const ordered: FeatureSpec[] = [];
  const visit = (f: FeatureSpec, path: Set<string>) => {
    if (done.has(f.name) || path.has(f.name)) return;
    path.add(f.name);
    const inputs = f.window ? [f.window.column] : f.expr !== undefined ? exprNames(f.expr, known) : [];
    for (const n of inputs) {
      const input = byName.get(n);
      if (input && input !== f) visit(input, path);
    }
    done.add(f.name);
    ordered.push(f);
  };
  for (const f of c.features) visit(f, new Set());
  return { ...c, features: ordered };
}

/** The names an expression reads; none when it does not compile (the contract checks report that). */
function exprNames(expr: string, known: string[]): string[] {
  try {
    return [...compileExpression(expr, known, 'expr').names];
  } catch {
    return [];
  }
}

/**
 * A feature's value type (as typed feature lists and training sets serve it) changed
 * while the feature kept its name: integer → number is a widening, which typed
 * consumers cannot read either; anything else is a different kind of value. Reported
 * per feature, whatever the cause (a column retyped, a window op changed).
 */
function featureTypeChanges(
  base: Contract,
  head: Contract,
  pairs: Array<{ base: FeatureSpec; head: FeatureSpec; headIndex: number }>,
): ContractChange[] {
  const bt = featureTypes(inDependencyOrder(base));
  const ht = featureTypes(inDependencyOrder(head));
  const out: ContractChange[] = [];
  // In the head's order, so a reviewer reads them beside the file.
  for (const { head: f } of [...pairs].sort((a, b) => a.headIndex - b.headIndex)) {
    const before = bt.get(f.name);
    const after = ht.get(f.name);
    if (before === after) continue;
    const path = `${ptr('features', f.name)}/type`;
    if (before === 'integer' && after === 'number') {
      const msg = `feature '${f.name}' now served as number instead of integer: typed consumers of an integer cannot read fractions`;
      out.push(change('feature.type_widened', 'breaking', path, msg, before, after));
    } else {
      const msg = `feature '${f.name}' now served as ${show(after)} instead of ${show(before)}`;
      out.push(change('feature.type_changed', 'breaking', path, msg, before, after));
    }
  }
  return out;
}

/** Milliseconds, or the raw text when it does not parse (then only identical text is equal). */
export function durationMs(s: string | undefined): number | string | undefined {
  if (s === undefined) return undefined;
  try {
    return parseIsoDuration(s);
  } catch {
    return s;
  }
}
