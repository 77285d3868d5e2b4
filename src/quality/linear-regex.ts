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
  let re: RE2JS;
  try {
    re = RE2JS.compile(RE2JS.translateRegExp(source));
  } catch (e) {
    throw new UnsupportedRegexError(explain(source, (e as Error).message));
  }
  return remembered((input) => re.test(input));
}

/** Inputs longer than this are matched every time: the memo is for ids, codes and statuses. */
const MEMO_MAX_INPUT = 256;
const MEMO_ENTRIES = 65_536;

/**
 * A pattern checked over a column sees the same values again and again (a million rows
 * of ten thousand device ids): RE2 in JavaScript costs about a third of a microsecond
 * a match, a Map lookup a tenth of that. Answers are remembered for short inputs, at
 * most MEMO_ENTRIES at a time (enough for a column's distinct values to come round
 * again: a smaller memo emptied before the first id repeated); a pattern that met MEMO_ENTRIES new values while fewer
 * than a quarter of its lookups were repeats (unique ids) stops remembering.
 */
export function remembered(test: (input: string) => boolean): LinearRegex {
  let memo: Map<string, boolean> | null = new Map();
  let misses = 0;
  let hits = 0;
  return {
    test(input) {
      if (memo === null || input.length > MEMO_MAX_INPUT) return test(input);
      const known = memo.get(input);
      if (known !== undefined) {
        hits++;
        return known;
      }
      const result = test(input);
      // Decided once, at the MEMO_ENTRIES-th new value: fewer than one lookup in four was a hit.
      if (++misses === MEMO_ENTRIES && hits < misses / 3) memo = null;
      else {
        if (memo.size >= MEMO_ENTRIES) memo.clear();
        memo.set(input, result);
      }
      return result;
    },
  };
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
