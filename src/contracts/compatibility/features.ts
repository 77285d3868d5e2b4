/**
 * Rules for features. A feature's name is what consumers select; how it is computed
 * is what its values mean. Same name, different computation means the stored history
 * and the new values disagree, so any change of computation is breaking.
 */
import type { Contract, FeatureSpec, WindowSpec } from '../contract.types';
import { parseIsoDuration } from '../duration';
import { change, type ContractChange, ptr, show, unrecognizedChanges } from './change';
import { matchByKey } from './match';
import { typeFeatures, type FeatureType } from '../feature-type';

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
    const changes = diffFeature(p.base, p.head);
    out.push(...changes);
    // A type that changed with the computation (or a retyped column) is that change's consequence, reported there.
    if (p.base.type !== p.head.type && !changes.some((c) => c.class === 'breaking'))
      out.push(...typeChange(p.head.name, baseTypes.get(p.head.name)!, headTypes.get(p.head.name)!, p.head));
  }
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

function diffFeature(b: FeatureSpec, h: FeatureSpec): ContractChange[] {
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
    out.push(...windowChanges(h.name, `${path}/window`, b.window!, h.window!));
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

/**
 * The served type is what typed readers bind to: declaring another one is breaking;
 * declaring the type a feature already had (or no longer declaring it) is cosmetic.
 */
function typeChange(name: string, b: FeatureType, h: FeatureType, head: FeatureSpec): ContractChange[] {
  const path = `${ptr('features', name)}/type`;
  if (b !== h)
    return [
      change('feature.type_changed', 'breaking', path, `feature '${name}' type changed ${b} → ${h}`, b, h),
    ];
  const msg = `feature '${name}' type ${head.type ? 'declared' : 'no longer declared'} (still ${h})`;
  return [change('feature.type_declared', 'cosmetic', path, msg, b, h)];
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

function windowChanges(name: string, path: string, b: WindowSpec, h: WindowSpec): ContractChange[] {
  const out: ContractChange[] = [];
  const diff = (key: string, before: unknown, after: unknown) => {
    const msg = `feature '${name}' window ${key} changed ${show(before)} → ${show(after)}`;
    out.push(change('feature.window_changed', 'breaking', `${path}/${key}`, msg, before, after));
  };
  if (b.op !== h.op) diff('op', b.op, h.op);
  if (b.column !== h.column) diff('column', b.column, h.column);
  if (b.rows !== h.rows) diff('rows', b.rows, h.rows);
  // lag/diff default to one row back: spelling out the default changes nothing.
  if ((b.offset ?? 1) !== (h.offset ?? 1)) diff('offset', b.offset, h.offset);
  // Skipping nulls changes every value next to a null; false is the default.
  if ((b.skipNulls ?? false) !== (h.skipNulls ?? false)) diff('skipNulls', b.skipNulls, h.skipNulls);
  if (b.duration !== h.duration) {
    if (durationMs(b.duration) !== durationMs(h.duration)) diff('duration', b.duration, h.duration);
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

/** Milliseconds, or the raw text when it does not parse (then only identical text is equal). */
export function durationMs(s: string | undefined): number | string | undefined {
  if (s === undefined) return undefined;
  try {
    return parseIsoDuration(s);
  } catch {
    return s;
  }
}
