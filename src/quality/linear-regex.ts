/**
 * Every regular expression a user writes (a column `pattern`, a `match_regex`
 * expectation, an expression's `~=`) runs here, on RE2 (re2js): matching takes time
 * linear in the input whatever the pattern, so `^(a+)+$` cannot stall the server the
 * way a backtracking engine does on 30 characters.
 *
 * The price is RE2's syntax: backreferences (`\1`) and lookarounds (`(?=`, `(?!`,
 * `(?<=`, `(?<!`) cannot run in linear time and are refused with a message saying so.
 * JavaScript spellings RE2 lacks (`\u0041`, `(?<name>…)`) are translated first.
 */
import { RE2JS } from 're2js';

export interface LinearRegex {
  /** Search semantics, like RegExp.prototype.test: a match anywhere counts. */
  test(input: string): boolean;
}

/** Why a pattern cannot run, phrased for a contract author. */
export class UnsupportedRegexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedRegexError';
  }
}

const LOOKAROUND = /^\(\?<?[=!]/;

export function compileLinearRegex(source: string): LinearRegex {
  try {
    const re = RE2JS.compile(RE2JS.translateRegExp(source));
    return { test: (input) => re.test(input) };
  } catch (e) {
    throw new UnsupportedRegexError(explain(source, (e as Error).message));
  }
}

/** The problem with `source` as a message, or null when it compiles. For the contract linter. */
export function linearRegexProblem(source: string): string | null {
  try {
    compileLinearRegex(source);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

function explain(source: string, engineMessage: string): string {
  const detail = engineMessage.replace(/^error parsing regexp: /, '');
  const offending = /`([^`]*)`/.exec(detail)?.[1] ?? '';
  const why = 'patterns run on a linear-time engine (RE2 syntax)';
  if (/^\\[1-9]/.test(offending) || /\\k</.test(source))
    return `backreferences (${offending || '\\k<…>'}) are not supported: ${why}`;
  if (LOOKAROUND.test(offending) || /invalid named capture: `\(\?<[=!]/.test(detail))
    return `lookarounds ((?=…), (?!…), (?<=…), (?<!…)) are not supported: ${why}`;
  return `invalid regular expression: ${detail} (${why})`;
}
