/**
 * Contract expressions (derived features, filters), compiled once with filtrex: the
 * user's text becomes a small function over a values record and never touches the
 * JavaScript scope.
 *
 * Language: filtrex syntax (`+ - * / ^ mod`, comparisons, `and or not`,
 * `if c then a else b`, `x in (a, b)`, `~=` regex match, double-quoted strings,
 * `true`/`false`) plus the functions in FUNCTIONS below; nothing else may be called.
 * `of`, `%` and `? :` are refused (no nested data; the deprecated forms print warnings).
 *
 * Semantics, chosen so a feature is never a bogus number:
 * - null propagates: an operator or numeric function with a null operand gives null,
 *   comparisons included (`deaths > 0` is null when deaths is null). A null reaching
 *   `and`/`or`/`not`/`if` makes the whole expression null. Test for null with
 *   `exists(x)` / `empty(x)`, replace it with `coalesce(x, 0)`; `min`/`max` skip nulls.
 * - division or `mod` by zero, and any NaN/±Infinity result, give null.
 * - an operand of the wrong type (`"a" * 2`, a number used as a condition) gives null
 *   rather than failing the run: types are the contract linter's business.
 */
import { compileExpression as filtrexCompile } from 'filtrex';
import { InputError } from '../errors';
import { didYouMean } from '../lib/nearest-name';
import { plainSyntaxMessage } from './expression-errors';
import type { Value } from '../domain/value';
import { compileLinearRegex, linearRegexProblem, type LinearRegex } from '../quality/linear-regex';

export interface CompiledExpression {
  (values: Record<string, Value>): Value;
  /** The names it reads, so a caller can fill one reused record instead of building one per row. */
  readonly names: readonly string[];
}

type Fn = (...args: unknown[]) => Value;
const num = (v: unknown): v is number => typeof v === 'number';
const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);
const math1 =
  (f: (x: number) => number): Fn =>
  (x) =>
    num(x) ? finite(f(x)) : null;

function extreme(pick: (a: number, b: number) => number): Fn {
  return (...args) => {
    let best: number | null = null;
    for (const a of args) {
      if (a === null) continue;
      if (!num(a)) return null;
      best = best === null ? a : pick(best, a);
    }
    return best;
  };
}

function roundTo(x: unknown, digits: unknown = 0): Value {
  if (!num(x) || !num(digits) || !Number.isInteger(digits) || digits < 0 || digits > 15) return null;
  const scale = 10 ** digits;
  return finite(Math.round(x * scale) / scale);
}

/** The whole callable surface of an expression. */
const FUNCTIONS: Record<string, Fn> = {
  abs: math1(Math.abs),
  ceil: math1(Math.ceil),
  floor: math1(Math.floor),
  round: roundTo,
  sqrt: math1(Math.sqrt),
  log: math1(Math.log),
  log2: math1(Math.log2),
  log10: math1(Math.log10),
  exp: math1(Math.exp),
  pow: (a, b) => (num(a) && num(b) ? finite(a ** b) : null),
  min: extreme(Math.min),
  max: extreme(Math.max),
  coalesce: (...args) => (args.find((a) => a !== null && a !== undefined) as Value | undefined) ?? null,
  length: (s) => (typeof s === 'string' ? s.length : null),
  exists: (v) => v !== null && v !== undefined,
  empty: (v) => v === null || v === undefined || v === '',
};

type Binary = (a: unknown, b: unknown) => Value;
function arith(f: (a: number, b: number) => number | null): Binary {
  return (a, b) => {
    if (!num(a) || !num(b)) return null;
    const r = f(a, b);
    return r === null ? null : finite(r);
  };
}
const compare =
  (f: (a: number | string, b: number | string) => boolean): Binary =>
  (a, b) =>
    (num(a) && num(b)) || (typeof a === 'string' && typeof b === 'string') ? f(a, b) : null;

/**
 * Regexes from `~=` run on RE2 (linear time, see quality/linear-regex.ts) and are
 * compiled once per pattern, not once per row. A pattern only known per row (a column
 * on the right of `~=`) that RE2 cannot run gives null, like any operand of the wrong kind.
 */
const regexCache = new Map<string, LinearRegex | null>();
function regexMatch(a: unknown, b: unknown): Value {
  if (typeof a !== 'string' || typeof b !== 'string') return null;
  let re = regexCache.get(b);
  if (re === undefined) {
    try {
      re = compileLinearRegex(b);
    } catch {
      re = null;
    }
    if (regexCache.size < 1000) regexCache.set(b, re);
  }
  return re === null ? null : re.test(a);
}

const OPERATORS = {
  '+': (a: unknown, b: unknown): Value =>
    typeof a === 'string' && typeof b === 'string' ? a + b : arith((x, y) => x + y)(a, b),
  '-': (a: unknown, b?: unknown): Value =>
    b === undefined ? (num(a) ? -a : null) : arith((x, y) => x - y)(a, b),
  '*': arith((x, y) => x * y),
  '/': arith((x, y) => (y === 0 ? null : x / y)),
  '^': arith((x, y) => x ** y),
  mod: arith((x, y) => (y === 0 ? null : ((x % y) + y) % y)),
  '==': (a: unknown, b: unknown) => (a === null || b === null ? null : a === b),
  '!=': (a: unknown, b: unknown) => (a === null || b === null ? null : a !== b),
  '<': compare((a, b) => a < b),
  '<=': compare((a, b) => a <= b),
  '>': compare((a, b) => a > b),
  '>=': compare((a, b) => a >= b),
  '~=': regexMatch,
};

function readProp(name: string, _get: unknown, obj: unknown): unknown {
  // Own properties only (never the prototype); a known name absent from the row is null.
  const rec = obj as Record<string, unknown>;
  return rec !== null && typeof rec === 'object' && Object.hasOwn(rec, name) ? (rec[name] ?? null) : null;
}

const OPTIONS = {
  extraFunctions: FUNCTIONS,
  constants: { true: true, false: false },
  // filtrex's typings require == and != to return boolean; ours return null for null operands.
  operators: OPERATORS as unknown as NonNullable<Parameters<typeof filtrexCompile>[1]>['operators'],
  customProp: readProp,
};

/**
 * Compiles `expr` once. `allowedNames` are the identifiers it may read; `where`
 * (e.g. `features/fatality/expr`) prefixes every error. Throws InputError on a syntax
 * error, an unknown identifier or an unknown function.
 */
export function compileExpression(expr: string, allowedNames: string[], where: string): CompiledExpression {
  const analysed = analyse(expr, allowedNames);
  if (typeof analysed === 'string') throw new InputError(`${where}: ${analysed}`, { where, expr });
  const { fn, names } = analysed;
  return Object.assign((values: Record<string, Value>) => normalise(fn(values)), { names });
}

/** The problem with `expr` as a message, or null when it compiles. For the contract linter. */
export function validateExpression(expr: string, names: string[]): string | null {
  const analysed = analyse(expr, names);
  return typeof analysed === 'string' ? analysed : null;
}

interface Analysed {
  fn: (data: unknown) => unknown;
  names: string[];
}

function analyse(expr: string, allowedNames: string[]): Analysed | string {
  if (typeof expr !== 'string' || expr.trim() === '') return 'expression is empty';
  let fn: (data: unknown) => unknown;
  try {
    fn = filtrexCompile(expr, OPTIONS);
  } catch (e) {
    return plainSyntaxMessage((e as Error).message, expr);
  }
  const symbols = scanSymbols(expr);
  if (symbols.refused) return symbols.refused;
  const allowed = new Set(allowedNames);
  const unknownNames = [...symbols.names].filter(
    (n) => !allowed.has(n) && !Object.hasOwn(OPTIONS.constants, n),
  );
  if (unknownNames.length > 0) {
    const hints = unknownNames.length === 1 ? didYouMean(unknownNames[0]!, allowedNames) : '';
    return `unknown name${unknownNames.length > 1 ? 's' : ''} ${unknownNames.join(', ')}${hints} (known: ${allowedNames.join(', ') || 'none'})`;
  }
  const unknownFns = [...symbols.functions].filter((f) => !Object.hasOwn(FUNCTIONS, f));
  if (unknownFns.length > 0) {
    return `unknown function ${unknownFns.join(', ')} (available: ${Object.keys(FUNCTIONS).join(', ')})`;
  }
  return { fn, names: [...symbols.names].filter((n) => allowed.has(n)) };
}

function normalise(out: unknown): Value {
  if (typeof out === 'number') return Number.isFinite(out) ? out : null;
  if (typeof out === 'string' || typeof out === 'boolean') return out;
  // filtrex returns (not throws) runtime errors, e.g. a null condition in `if`; arrays and objects are not values.
  return null;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'of', 'if', 'then', 'else', 'mod']);
// Mirrors filtrex's lexer closely enough to classify symbols: strings, quoted symbols, numbers, words, anything else.
const TOKEN_RE =
  /\s+|"((?:\\"|\\\\|[^"\\])*)"|'((?:\\'|\\\\|[^'\\])*)'|[0-9]+(?:\.[0-9]+)?|([a-zA-Z$_][.a-zA-Z0-9$_]*)|(.)/y;
const WORD_CHAR = /\w/;

interface Symbols {
  names: Set<string>;
  functions: Set<string>;
  refused?: string;
}

/**
 * filtrex resolves names only at run time, so unknown names are found here, at compile
 * time; so is a `~=` pattern written as a literal that the linear-time engine cannot run.
 */
function scanSymbols(expr: string): Symbols {
  const out: Symbols = { names: new Set(), functions: new Set() };
  let previous = '';
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(expr); m !== null && m[0] !== ''; m = TOKEN_RE.exec(expr)) {
    const other = m[4];
    if (other === '%' || other === '?' || other === ':') {
      out.refused ??=
        other === '%' ? "use 'mod' instead of '%'" : "use 'if c then a else b' instead of '? :'";
    }
    if (m[1] !== undefined && previous === '~=') out.refused ??= patternProblem(m[1]);
    if (m[0].trim() !== '') previous = previous === '~' && other === '=' ? '~=' : m[0];
    const symbol = m[3] ?? (m[2] !== undefined ? m[2].replace(/\\(['\\])/g, '$1') : undefined);
    if (symbol === undefined) continue;
    const next = expr[TOKEN_RE.lastIndex];
    if (m[3] !== undefined && KEYWORDS.has(symbol) && next !== undefined && !WORD_CHAR.test(next)) {
      if (symbol === 'of') out.refused ??= "the 'of' operator is not supported";
      continue;
    }
    const isCall = expr.slice(TOKEN_RE.lastIndex).trimStart().startsWith('(');
    (isCall ? out.functions : out.names).add(symbol);
  }
  return out;
}

/** A `~=` literal as filtrex reads it (only \" and \\ are escapes), checked for RE2. */
function patternProblem(literal: string): string | undefined {
  const problem = linearRegexProblem(literal.replace(/\\(["\\])/g, '$1'));
  return problem === null ? undefined : `~= ${problem}`;
}
