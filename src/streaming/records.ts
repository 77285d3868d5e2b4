/**
 * Broker messages → the JSON Lines bytes of a micro-batch's raw batch, read back by
 * the ordinary JSONL source (src/pipeline/sources/jsonl.source.ts).
 *
 * - A message that is a JSON object becomes its line with `_position` added (keys that
 *   start with `_` are metadata to the pipeline: not columns, kept in the raw record),
 *   so every reject of a stream run names the broker position it came from, and two
 *   micro-batches never hash the same.
 * - Anything else (not JSON, not an object, no payload) becomes a line that is
 *   deliberately not JSON and starts with `@position <p>:` and the problem. The JSONL
 *   source rejects it as invalid JSON and keeps the line as the reject's raw record
 *   (`_line`), so the message is rejected with its position and reason, and the rest
 *   of the micro-batch goes on.
 */
import type { BrokerMessage } from './stream.types';

/** Long payloads are cut in a rejected line: the position and the reason come first. */
const MAX_REJECTED_PAYLOAD = 500;

export const POSITION_FIELD = '_position';

export function messageLine(m: BrokerMessage): string {
  if (m.payload === null) return rejectedLine(m.position, 'the message has no payload', '');
  let value: unknown;
  try {
    value = JSON.parse(m.payload);
  } catch (err) {
    return rejectedLine(m.position, `invalid JSON (${(err as Error).message})`, m.payload);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return rejectedLine(m.position, 'each message must be a JSON object', m.payload);
  }
  return JSON.stringify({ ...(value as Record<string, unknown>), [POSITION_FIELD]: m.position });
}

/** One line per message, in order, newline-terminated (what RawStore keeps). */
export function microBatchBytes(messages: BrokerMessage[]): Buffer {
  return Buffer.from(messages.map(messageLine).join('\n') + '\n', 'utf8');
}

function rejectedLine(position: string, problem: string, payload: string): string {
  const cut = payload.length > MAX_REJECTED_PAYLOAD ? payload.slice(0, MAX_REJECTED_PAYLOAD) + '…' : payload;
  // One line whatever the message holds: JSON.stringify escapes the payload's line
  // breaks, and a parser's message may quote the payload, so its breaks become spaces.
  return `@position ${position}: ${problem.replace(/[\r\n]+/g, ' ')}; payload: ${JSON.stringify(cut)}`;
}
