/**
 * JSON Lines records from a stream: one JSON object per line, blank lines skipped.
 * Yielded in arrays, one per input chunk (an async step per record costs more than
 * parsing it).
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ParsedRecord } from '../row.types';

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
  const lines = (text: string, final: boolean): ParsedRecord[] => {
    const out: ParsedRecord[] = [];
    let pos = 0;
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
  try {
    for await (const chunk of input) {
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
  return { rowNumber, rawBatchId, raw: value as Record<string, unknown> };
}

/**
 * Pushed records as the bytes of a raw batch: one canonical JSON line each, so the
 * same records pushed twice hash the same.
 */
export function recordsToJsonl(records: unknown[]): Buffer {
  return Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n', 'utf8');
}
