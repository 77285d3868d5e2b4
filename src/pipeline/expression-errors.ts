/**
 * filtrex's parser errors in plain words. Its messages are jison's: three or four
 * lines with a caret and a token list (`Expecting '-', 'not', 'if', '(', 'Number', …,
 * got 'EndOfExpression'`), which tell an author little. This says where (the
 * character, counted from 1) and what was expected there, in the words of the
 * expression language.
 */

const VALUE_TOKENS = new Set(['-', 'not', 'if', '(', 'Number', 'Symbol', 'String']);
const TOKEN_WORDS: Record<string, string> = {
  EndOfExpression: 'the end of the expression',
  Symbol: 'the name',
  Number: 'the number',
  String: 'the string',
};
const LEXICAL_HINTS: Record<string, string> = {
  '=': "'=' is not an operator: compare with '=='",
  '&': "'&' is not an operator: use 'and'",
  '|': "'|' is not an operator: use 'or'",
  '!': "'!' is not an operator: use 'not' (or '!=' to compare)",
  '"': 'a string is not closed: end it with "',
  "'": "a quoted name is not closed: end it with '",
};

/** One line: `syntax error at position N: …`. */
export function plainSyntaxMessage(message: string, expr: string): string {
  const lines = message.split('\n');
  const at = Math.max(1, (lines[2] ?? '').indexOf('^') + 1);
  if (lines[0]?.startsWith('Parse error') && lines.length >= 4) return parseError(lines[3] ?? '', at, expr);
  if (lines[0]?.startsWith('Lexical error')) return lexicalError(at, expr);
  return `syntax error: ${lines.join(' ')}`;
}

function parseError(expecting: string, at: number, expr: string): string {
  const m = /^Expecting (.*), got '([^']*)'$/.exec(expecting);
  if (!m) return `syntax error at position ${at}: ${expecting}`;
  const expected = [...m[1]!.matchAll(/'([^']*)'/g)].map((x) => x[1]!);
  const got = m[2]!;
  const found =
    got === 'EndOfExpression' ? 'the expression ends there' : `found ${foundWords(got, at, expr)}`;
  return `syntax error at position ${at}: ${expectation(expected, got, expr)}, but ${found}`;
}

function expectation(expected: string[], got: string, expr: string): string {
  const open = unclosedParens(expr);
  if (got === 'EndOfExpression' && open > 0 && expected.includes(')')) {
    return `${open === 1 ? "a '('" : `${open} '('`} is not closed: expected ')'`;
  }
  if (expected.includes('else') && !expected.includes('then')) return "'if … then …' needs 'else …'";
  if (expected.includes('then') && !expected.includes('else')) return "'if …' needs 'then …'";
  if (expected.every((t) => VALUE_TOKENS.has(t))) {
    return 'expected a value (a number, a name, a "string", a function call or \'(\')';
  }
  return 'expected an operator (such as + - * / == < and or) or the end of the expression';
}

function foundWords(token: string, at: number, expr: string): string {
  const words = TOKEN_WORDS[token];
  if (words === undefined) return `'${token}'`;
  const text = /^\S+/.exec(expr.slice(at - 1))?.[0];
  if (!text || token === 'String') return words;
  return `${words} '${text.length > 40 ? text.slice(0, 37) + '...' : text}'`;
}

function lexicalError(at: number, expr: string): string {
  const ch = expr[at - 1] ?? '';
  const hint = LEXICAL_HINTS[ch] ?? `the character '${ch}' cannot appear in an expression`;
  return `syntax error at position ${at}: ${hint}`;
}

/** '(' not matched by ')' outside strings and quoted names. */
function unclosedParens(expr: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i]!;
    if (quote !== undefined) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
  }
  return depth;
}
