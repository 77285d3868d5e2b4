/**
 * CSV text → records (arrays of fields), incrementally, chunk by chunk.
 *
 * Why not a general CSV library: a million-line file spent more time in the
 * parser's per-character state machine and its per-record stream events than in
 * everything else of the read stage. Most lines of most files hold no quote at all;
 * those are split with one native `indexOf` for the line end and one `split` for the
 * fields. Only a line with a quote character goes through the character-level path.
 *
 * Semantics (RFC 4180, as csv-parse reads it with bom, skip_empty_lines and
 * relax_column_count; a property test compares the two):
 * - the line terminator is the first one seen in the file (`\r\n`, `\n` or `\r`) and
 *   that one alone ends records afterwards;
 * - a field that starts with the quote character is quoted: it may hold delimiters,
 *   line breaks and doubled quotes; after its closing quote only a delimiter, the
 *   terminator or the end may follow (else `CSV_INVALID_CLOSING_QUOTE`);
 * - a quote inside an unquoted field is an error (`INVALID_OPENING_QUOTE`), and a
 *   quote still open at the end of the input is `CSV_QUOTE_NOT_CLOSED`;
 * - empty lines are skipped; records may have any number of fields.
 */

export class CsvSyntaxError extends Error {
  constructor(
    readonly code: 'INVALID_OPENING_QUOTE' | 'CSV_INVALID_CLOSING_QUOTE' | 'CSV_QUOTE_NOT_CLOSED',
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

export interface CsvDialect {
  /** One character. */
  delimiter: string;
  /** One character. */
  quote: string;
}

/** Whether the splitter handles this dialect (single-character delimiter and quote). */
export function splitterSupports(d: CsvDialect): boolean {
  return d.delimiter.length === 1 && d.quote.length === 1 && d.delimiter !== d.quote;
}

const INCOMPLETE = Symbol('incomplete');

/**
 * Put in place of a record the caller said it does not want (see `wanted`): a re-read
 * looking for a few rows need not split the others. Compare by identity.
 */
export const SKIPPED: readonly string[] = Object.freeze([]);

export class CsvSplitter {
  private pending = '';
  private eol: string | null = null;
  private started = false;
  /** Physical line where the next record starts (1-based), for error messages. */
  private line = 1;
  /** Records emitted so far (the header, when the file has one, is record 0). */
  private records = 0;

  /**
   * `wanted(n)`: whether record n (0-based, counting every record) is wanted; a record
   * on one line without quotes that is not wanted is given as SKIPPED, unsplit. Records
   * with quotes are always split, since only splitting tells where they end.
   */
  constructor(
    private readonly dialect: CsvDialect,
    private readonly wanted?: (record: number) => boolean,
  ) {
    if (!splitterSupports(dialect)) throw new Error('CsvSplitter needs a one-character delimiter and quote');
  }

  /** Where each record given out starts (its physical line, 1-based), when asked. */
  private lines: number[] | null = null;

  /**
   * Appends the records completed by `text` to `out`, and to `lines` (when given) the
   * line each of them starts on.
   */
  push(text: string, out: string[][], lines?: number[]): void {
    this.lines = lines ?? null;
    this.consume(this.pending + text, false, out);
  }

  /** Appends the last records; throws if a quoted field is still open. */
  end(out: string[][], lines?: number[]): void {
    this.lines = lines ?? null;
    this.consume(this.pending, true, out);
    this.pending = '';
  }

  /** Characters of a record begun but not yet ended: what a caller bounds a record by. */
  get pendingLength(): number {
    return this.pending.length;
  }

  private consume(s: string, final: boolean, out: string[][]): void {
    if (!this.started) {
      if (s.length === 0) return;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      this.started = true;
    }
    if (this.eol === null) {
      this.eol = detectEol(s, this.dialect.quote.charCodeAt(0), final);
      if (this.eol === null) {
        // No terminator yet: all of it is one incomplete record (or the only one, at the end).
        if (final && s.length > 0) this.record(s, 0, s.length, true, out);
        else this.pending = s;
        return;
      }
    }
    const eol = this.eol;
    const { quote, delimiter } = this.dialect;
    let pos = 0;
    // The next quote at or after `pos` (-1: none left in `s`), looked up again only once
    // passed: searching from every line would scan the rest of the text once per line.
    let quoteAt = s.indexOf(quote);
    while (pos < s.length) {
      let end = s.indexOf(eol, pos);
      if (end < 0) {
        if (!final) break;
        end = s.length;
      }
      if (end === pos) {
        // An empty line.
        pos = end + eol.length;
        this.line++;
        continue;
      }
      if (quoteAt >= 0 && quoteAt < pos) quoteAt = s.indexOf(quote, pos);
      if (quoteAt < 0 || quoteAt >= end) {
        const n = this.records++;
        out.push(this.wanted && !this.wanted(n) ? (SKIPPED as string[]) : s.slice(pos, end).split(delimiter));
        this.lines?.push(this.line);
        pos = end + eol.length;
        this.line++;
        continue;
      }
      const next = this.record(s, pos, s.length, final, out);
      if (next === INCOMPLETE) break;
      pos = next;
    }
    this.pending = pos < s.length ? s.slice(pos) : '';
  }

  /**
   * One record through the character-level path, from `start`. Returns where the next
   * record starts, or INCOMPLETE when the text ends inside it and more may come.
   */
  private record(
    s: string,
    start: number,
    limit: number,
    final: boolean,
    out: string[][],
  ): number | typeof INCOMPLETE {
    const { quote, delimiter } = this.dialect;
    const eol = this.eol ?? '\n';
    const fields: string[] = [];
    let lines = 0;
    let i = start;
    for (;;) {
      if (s.startsWith(quote, i)) {
        let value = '';
        let from = i + 1;
        for (;;) {
          const close = s.indexOf(quote, from);
          if (close < 0) {
            if (!final) return INCOMPLETE;
            throw new CsvSyntaxError(
              'CSV_QUOTE_NOT_CLOSED',
              `Quote Not Closed: the parsing is finished with an opening quote at line ${this.line + lines}`,
            );
          }
          if (close + 1 >= limit && !final) return INCOMPLETE;
          if (s.startsWith(quote, close + 1)) {
            value += s.slice(from, close + 1);
            from = close + 2;
            continue;
          }
          value += s.slice(from, close);
          i = close + 1;
          break;
        }
        lines += countOf(value, eol);
        fields.push(value);
        if (i >= limit) {
          if (!final) return INCOMPLETE;
          return this.emit(fields, lines, i, out);
        }
        if (s.startsWith(delimiter, i)) {
          i += 1;
          continue;
        }
        if (s.startsWith(eol, i)) return this.emit(fields, lines, i + eol.length, out);
        if (!final && eol.length > 1 && i + eol.length > limit) return INCOMPLETE;
        throw new CsvSyntaxError(
          'CSV_INVALID_CLOSING_QUOTE',
          `Invalid Closing Quote: got "${s[i]}" at line ${this.line + lines} instead of delimiter, record delimiter, trimable character (if activated) or comment`,
        );
      }
      // Unquoted: up to the next delimiter or terminator; no quote may appear in it.
      const d = s.indexOf(delimiter, i);
      const e = s.indexOf(eol, i);
      const stop = Math.min(d < 0 ? limit : d, e < 0 ? limit : e);
      const q = s.indexOf(quote, i);
      if (q >= 0 && q < stop) {
        throw new CsvSyntaxError(
          'INVALID_OPENING_QUOTE',
          `Invalid Opening Quote: a quote is found on field ${fields.length} at line ${this.line + lines}, value is "${s.slice(i, q)}"`,
        );
      }
      if (stop >= limit && !final) return INCOMPLETE;
      fields.push(s.slice(i, stop));
      if (stop >= limit) return this.emit(fields, lines, stop, out);
      if (s.startsWith(delimiter, stop)) {
        i = stop + 1;
        continue;
      }
      return this.emit(fields, lines, stop + eol.length, out);
    }
  }

  private emit(fields: string[], lines: number, next: number, out: string[][]): number {
    out.push(fields);
    this.lines?.push(this.line);
    this.records++;
    this.line += lines + 1;
    return next;
  }
}

/**
 * The first line terminator outside quotes, or null when none can be told yet. Every
 * quote character toggles "inside quotes" (a doubled quote toggles twice).
 */
function detectEol(s: string, quote: number, final: boolean): string | null {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === quote) quoted = !quoted;
    else if (quoted) continue;
    else if (c === 10) return '\n';
    else if (c === 13) {
      if (i + 1 < s.length) return s.charCodeAt(i + 1) === 10 ? '\r\n' : '\r';
      return final ? '\r' : null;
    }
  }
  return null;
}

function countOf(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) n++;
  return n;
}
