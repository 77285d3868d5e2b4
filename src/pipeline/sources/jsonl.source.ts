/**
 * JSON Lines records from a stream: one JSON object per line, blank lines skipped.
 * Yielded in arrays, one per input chunk (an async step per record costs more than
 * parsing it).
 *
 * A byte-order mark before the first line is dropped (as the CSV reader does); a line
 * nesting deeper than MAX_JSON_DEPTH is a reject of its own; a file declared UTF-8 that
 * is not is refused whole (utf8-guard.ts).
 *
 * A line that is an object with a string `_unreadable` is a reject with that reason:
 * a stream micro-batch writes a message it could not read that way (src/streaming/
 * records.ts), so the reject names what was wrong with the message, not with the line.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { randomBytes } from 'node:crypto';
import { InputError } from '../../errors';
import type { ParsedRecord } from '../../domain/rows';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth';
import { declaresUtf8, utf8Checked } from './utf8-guard';

/** Metadata key of a line that stands for an unreadable message; its value is the reason. */
export const UNREADABLE_FIELD = '_unreadable';

/** `rows`: yield only these row numbers, parsing no other line (a re-read for a few rows). */
export async function* readJsonlBatches(
  input: Readable,
  rawBatchId: string,
  encoding: BufferEncoding = 'utf8',
  rows?: ReadonlySet<number>,
): AsyncGenerator<ParsedRecord[]> {
  const decoder = new StringDecoder(encoding);
  let pending = '';
  let rowNumber = 0;
  let first = true;
  const lines = (text: string, final: boolean): ParsedRecord[] => {
    const out: ParsedRecord[] = [];
    let pos = 0;
    if (first && text.length > 0) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) pos = 1;
    }
    for (;;) {
      let end = text.indexOf('\n', pos);
      if (end < 0) {
        if (!final || pos >= text.length) break;
        end = text.length;
      }
      // CRLF files: the \r belongs to the terminator, as readline reads it.
      const line = text.slice(pos, end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
      pos = end + 1;
      if (line.trim() === '') continue;
      rowNumber++;
      if (rows && !rows.has(rowNumber)) continue;
      out.push(parseLine(line, rowNumber, rawBatchId));
    }
    pending = pos < text.length ? text.slice(pos) : '';
    return out;
  };
  const chunks = declaresUtf8(encoding) ? utf8Checked(input, rawBatchId) : input;
  try {
    for await (const chunk of chunks) {
      const out = lines(
        pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer)),
        false,
      );
      if (out.length > 0) yield out;
    }
    const out = lines(pending + decoder.end(), true);
    if (out.length > 0) yield out;
  } finally {
    input.destroy();
  }
}

/** Record by record (tests and small callers); the read stage takes the batches. */
export async function* readJsonl(input: Readable, rawBatchId: string): AsyncGenerator<ParsedRecord> {
  for await (const batch of readJsonlBatches(input, rawBatchId)) yield* batch;
}

function parseLine(line: string, rowNumber: number, rawBatchId: string): ParsedRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return {
      rowNumber,
      rawBatchId,
      raw: { _line: line.slice(0, 1000) },
      parseError: `invalid JSON: ${(err as Error).message}`,
    };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      rowNumber,
      rawBatchId,
      raw: { _line: line.slice(0, 1000) },
      parseError: 'each line must be a JSON object',
    };
  }
  if (exceedsJsonDepth(value)) {
    return {
      rowNumber,
      rawBatchId,
      raw: { _line: line.slice(0, 1000) },
      parseError: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
    };
  }
  const raw = value as Record<string, unknown>;
  const unreadable = raw[UNREADABLE_FIELD];
  if (typeof unreadable === 'string') return { rowNumber, rawBatchId, raw, parseError: unreadable };
  return { rowNumber, rawBatchId, raw };
}

/**
 * Pushed records as the bytes of a raw batch: one canonical JSON line each, so the
 * same records pushed twice hash the same. A number beyond the finite range (GraphQL
 * parses 1e309 to Infinity) is written as 1e999, not as JSON.stringify's null: read
 * back it is Infinity again and rejected as a file's 1e309 is, rather than stored as
 * a null nobody sent.
 */
export function recordsToJsonl(records: unknown[]): Buffer {
  const marker = `\u0000tidemark:${randomBytes(8).toString('hex')}:`;
  let nonFinite = false;
  const replacer = (_key: string, v: unknown): unknown => {
    if (typeof v !== 'number' || Number.isFinite(v)) return v;
    nonFinite = true;
    return marker + (v < 0 ? '-' : '+');
  };
  const lines = records.map((r, i) => {
    try {
      return JSON.stringify(r, replacer);
    } catch (err) {
      if (err instanceof RangeError)
        throw new InputError(
          `records[${i}] is nested too deeply to be read (at most ${MAX_JSON_DEPTH} levels)`,
        );
      throw err;
    }
  });
  let text = lines.join('\n') + '\n';
  if (nonFinite) {
    const quoted = JSON.stringify(marker).slice(0, -1); // the marker as it appears inside a JSON string
    text = text.replaceAll(`${quoted}+"`, '1e999').replaceAll(`${quoted}-"`, '-1e999');
  }
  return Buffer.from(text, 'utf8');
}
