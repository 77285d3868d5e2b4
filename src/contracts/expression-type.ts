/**
 * The type of a contract expression, worked out from the types of the names it reads,
 * without running it. The parser mirrors filtrex's grammar and precedence
 * (pipeline/expression.ts compiles the same text); it only ever sees expressions that
 * compiled, so anything it cannot follow is reported as "cannot infer", never guessed.
 * The rules follow what the evaluator gives at run time: `int op int` stays an integer
 * for `+ - * mod`, `/`, `^` and the math functions give floats, comparisons, `and`,
 * `or`, `not`, `in` and `~=` give booleans.
 */
import type { FeatureType } from '../domain/contract';

export type Inferred = { type: FeatureType } | { unknown: string };

type T = FeatureType | 'tuple';
type Node =
  | { k: 'lit'; t: T }
  | { k: 'name'; name: string }
  | { k: 'unary'; op: string; e: Node }
  | { k: 'bin'; op: string; l: Node; r: Node }
  | { k: 'if'; c: Node; a: Node; b: Node }
  | { k: 'call'; fn: string; args: Node[] }
  | { k: 'tuple'; items: Node[] };

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'if', 'then', 'else', 'mod']);
const RELATIONS = new Set(['==', '!=', '<', '<=', '>', '>=', '~=']);
const TOKEN_RE =
  /\s+|("(?:\\"|\\\\|[^"\\])*")|'((?:\\'|\\\\|[^'\\])*)'|([0-9]+(?:\.[0-9]+)?)|([a-zA-Z$_][.a-zA-Z0-9$_]*)|(==|!=|~=|>=|<=|[<>+\-*/^(),])/y;

type Token = { kind: 'str' | 'sym' | 'num' | 'kw' | 'op'; text: string };

class Unsupported extends Error {}

function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  TOKEN_RE.lastIndex = 0;
  while (TOKEN_RE.lastIndex < expr.length) {
    const at = TOKEN_RE.lastIndex;
    const m = TOKEN_RE.exec(expr);
    if (!m || m.index !== at) throw new Unsupported(`unexpected '${expr[at]}'`);
    if (m[1] !== undefined) out.push({ kind: 'str', text: m[1] });
    else if (m[2] !== undefined) out.push({ kind: 'sym', text: m[2].replace(/\\(['\\])/g, '$1') });
    else if (m[3] !== undefined) out.push({ kind: 'num', text: m[3] });
    else if (m[4] !== undefined) {
      const word = m[4];
      const last = out[out.length - 1];
      if (word === 'in' && last?.kind === 'kw' && last.text === 'not') last.text = 'notIn';
      else out.push({ kind: KEYWORDS.has(word) ? 'kw' : 'sym', text: word });
    } else if (m[5] !== undefined) out.push({ kind: 'op', text: m[5] });
  }
  return out;
}

/** Binding powers, lowest first, as in filtrex's grammar. */
function infixPower(t: Token | undefined): number {
  if (!t) return 0;
  if (t.kind === 'kw') return { or: 1, and: 2, in: 3, notIn: 3, mod: 6 }[t.text] ?? 0;
  if (t.kind !== 'op') return 0;
  if (RELATIONS.has(t.text)) return 4;
  return { '+': 5, '-': 5, '*': 6, '/': 6, '^': 8 }[t.text] ?? 0;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.expr(0);
    if (this.i !== this.tokens.length) throw new Unsupported(`unexpected '${this.tokens[this.i]!.text}'`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private take(text?: string): Token {
    const t = this.tokens[this.i++];
    if (!t || (text !== undefined && t.text !== text)) throw new Unsupported(`expected '${text ?? 'more'}'`);
    return t;
  }

  private expr(min: number): Node {
    let left = this.prefix();
    for (;;) {
      const t = this.peek();
      const power = infixPower(t);
      if (power <= min) break;
      this.i++;
      // `^` is right-associative: a `^` on its right binds first.
      const right = this.expr(t!.text === '^' ? power - 1 : power);
      left = { k: 'bin', op: t!.text, l: left, r: right };
    }
    return left;
  }

  private prefix(): Node {
    const t = this.take();
    if (t.kind === 'num') return { k: 'lit', t: /\./.test(t.text) ? 'float' : 'int' };
    if (t.kind === 'str') return { k: 'lit', t: 'string' };
    if (t.kind === 'kw' && t.text === 'not') return { k: 'unary', op: 'not', e: this.expr(7) };
    if (t.kind === 'op' && t.text === '-') return { k: 'unary', op: '-', e: this.expr(7) };
    if (t.kind === 'kw' && t.text === 'if') {
      const c = this.expr(0);
      this.take('then');
      const a = this.expr(0);
      this.take('else');
      return { k: 'if', c, a, b: this.expr(0) };
    }
    if (t.kind === 'op' && t.text === '(') {
      const items = [this.expr(0)];
      while (this.peek()?.text === ',') {
        this.i++;
        items.push(this.expr(0));
      }
      this.take(')');
      return items.length === 1 ? items[0]! : { k: 'tuple', items };
    }
    if (t.kind === 'sym') {
      if (this.peek()?.text === '(') return { k: 'call', fn: t.text, args: this.args() };
      if (t.text === 'true' || t.text === 'false') return { k: 'lit', t: 'bool' };
      return { k: 'name', name: t.text };
    }
    throw new Unsupported(`unexpected '${t.text}'`);
  }

  private args(): Node[] {
    this.take('(');
    const out: Node[] = [];
    if (this.peek()?.text === ')') {
      this.i++;
      return out;
    }
    out.push(this.expr(0));
    while (this.peek()?.text === ',') {
      this.i++;
      out.push(this.expr(0));
    }
    this.take(')');
    return out;
  }
}

const NUMERIC = new Set<T>(['int', 'float']);

/** The wider numeric type of the two, or null when either is not a number. */
function numeric(a: T, b: T): FeatureType | null {
  if (!NUMERIC.has(a) || !NUMERIC.has(b)) return null;
  return a === 'int' && b === 'int' ? 'int' : 'float';
}

/** One type both branches fit (an int widens to a float), or null. */
function common(types: T[]): FeatureType | null {
  const first = types[0];
  if (first === undefined || first === 'tuple') return null;
  if (types.every((t) => t === first)) return first;
  return types.reduce<FeatureType | null>((acc, t) => (acc === null ? null : numeric(acc, t)), first);
}

class Typer {
  constructor(private readonly names: ReadonlyMap<string, FeatureType>) {}

  type(n: Node): T {
    switch (n.k) {
      case 'lit':
        return n.t;
      case 'name': {
        const t = this.names.get(n.name);
        if (!t) throw new Unsupported(`the type of '${n.name}' is not known`);
        return t;
      }
      case 'tuple':
        n.items.forEach((item) => this.type(item));
        return 'tuple';
      case 'unary':
        return this.unary(n.op, this.type(n.e));
      case 'bin':
        return this.binary(n.op, this.type(n.l), this.type(n.r));
      case 'if': {
        this.type(n.c);
        const a = this.type(n.a);
        const b = this.type(n.b);
        return common([a, b]) ?? fail(`'if' gives ${a} on one branch and ${b} on the other`);
      }
      case 'call':
        return this.call(
          n.fn,
          n.args.map((a) => this.type(a)),
        );
    }
  }

  private unary(op: string, t: T): T {
    if (op === 'not') return 'bool';
    return NUMERIC.has(t) ? t : fail(`'-' applied to a ${t}`);
  }

  private binary(op: string, l: T, r: T): T {
    if (op === 'and' || op === 'or' || op === 'in' || op === 'notIn' || RELATIONS.has(op)) return 'bool';
    if (op === '+' && l === 'string' && r === 'string') return 'string';
    const n = numeric(l, r);
    if (n === null) return fail(`'${op}' between a ${l} and a ${r}`);
    if (op === '/' || op === '^') return 'float';
    return n;
  }

  private call(fn: string, args: T[]): T {
    const first = args[0];
    switch (fn) {
      case 'abs':
        return first !== undefined && NUMERIC.has(first) ? first : fail(`abs of a ${first ?? 'nothing'}`);
      case 'ceil':
      case 'floor':
        return 'int';
      case 'round':
        return args.length > 1 ? 'float' : 'int';
      case 'sqrt':
      case 'log':
      case 'log2':
      case 'log10':
      case 'exp':
      case 'pow':
        return 'float';
      case 'length':
        return 'int';
      case 'exists':
      case 'empty':
        return 'bool';
      case 'min':
      case 'max':
        return (args.length > 0 && common(args)) || fail(`${fn} of ${args.join(', ')}`);
      case 'coalesce':
        return (args.length > 0 && common(args)) || fail(`coalesce of ${args.join(', ')}`);
      default:
        return fail(`unknown function ${fn}`);
    }
  }
}

function fail(reason: string): never {
  throw new Unsupported(reason);
}

/** The type `expr` evaluates to, given the types of the names it may read. */
export function inferExpressionType(expr: string, names: ReadonlyMap<string, FeatureType>): Inferred {
  try {
    const t = new Typer(names).type(new Parser(tokenize(expr)).parse());
    return t === 'tuple' ? { unknown: 'a list is not a value' } : { type: t };
  } catch (err) {
    if (err instanceof Unsupported) return { unknown: err.message };
    throw err;
  }
}
