/** JSON Lines records from a stream: one JSON object per line, blank lines skipped. */
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { ParsedRecord } from '../row.types';

export async function* readJsonl(input: Readable, rawBatchId: string): AsyncGenerator<ParsedRecord> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let rowNumber = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    rowNumber++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      yield {
        rowNumber,
        rawBatchId,
        raw: { _line: line.slice(0, 1000) },
        parseError: `invalid JSON: ${(err as Error).message}`,
      };
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      yield {
        rowNumber,
        rawBatchId,
        raw: { _line: line.slice(0, 1000) },
        parseError: 'each line must be a JSON object',
      };
      continue;
    }
    yield { rowNumber, rawBatchId, raw: value as Record<string, unknown> };
  }
}

/**
 * Pushed records as the bytes of a raw batch: one canonical JSON line each, so the
 * same records pushed twice hash the same.
 */
export function recordsToJsonl(records: unknown[]): Buffer {
  return Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n', 'utf8');
}
