/**
 * Broker messages → the JSON Lines bytes of a micro-batch's raw batch, read back by
 * the ordinary JSONL source (src/pipeline/sources/jsonl.source.ts).
 *
 * - A message that is a JSON object becomes its line with `_position` added (keys that
 *   start with `_` are metadata to the pipeline: not columns, kept in the raw record),
 *   so every reject of a stream run names the broker position it came from, and two
 *   micro-batches never hash the same.
 * - Anything else becomes a line `{"_position": p, "_unreadable": reason, "_payload": …}`
 *   whose reason says plainly what is wrong with the message (not JSON, JSON but not an
 *   object, no payload). The JSONL source rejects such a line with that reason and keeps
 *   it as the reject's raw record, so the message is rejected with its position and
 *   reason, and the rest of the micro-batch goes on.
 */
import { UNREADABLE_FIELD } from '../pipeline/sources/jsonl.source';
import type { BrokerMessage } from '../domain/stream';

/** Long payloads are cut in a rejected line: the position and the reason come first. */
const MAX_REJECTED_PAYLOAD = 500;

export const POSITION_FIELD = '_position';
export const PAYLOAD_FIELD = '_payload';

export function messageLine(m: BrokerMessage): string {
  if (m.payload === null || m.payload.trim() === '') {
    return rejectedLine(m.position, 'message has no payload', m.payload ?? '');
  }
  let value: unknown;
  try {
    value = JSON.parse(m.payload);
  } catch (err) {
    return rejectedLine(m.position, `message is not valid JSON: ${(err as Error).message}`, m.payload);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return rejectedLine(m.position, `message is JSON but not an object (got ${jsonKind(value)})`, m.payload);
  }
  return JSON.stringify({ ...(value as Record<string, unknown>), [POSITION_FIELD]: m.position });
}

/** One line per message, in order, newline-terminated (what RawStore keeps). */
export function microBatchBytes(messages: BrokerMessage[]): Buffer {
  return Buffer.from(messages.map(messageLine).join('\n') + '\n', 'utf8');
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value; // string, number, boolean
}

function rejectedLine(position: string, reason: string, payload: string): string {
  const cut = payload.length > MAX_REJECTED_PAYLOAD ? payload.slice(0, MAX_REJECTED_PAYLOAD) + '…' : payload;
  // A parser's message may quote the payload: its line breaks become spaces in the reason.
  return JSON.stringify({
    [POSITION_FIELD]: position,
    [UNREADABLE_FIELD]: reason.replace(/[\r\n]+/g, ' '),
    [PAYLOAD_FIELD]: cut,
  });
}
