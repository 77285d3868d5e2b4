/**
 * The one way a GraphQL answer becomes text, for Apollo (`stringifyResult`) and the fast
 * path alike, with a bound on its size: an answer over LIMITS.maxResponseBytes (or too
 * big for a string at all) is replaced by an error saying so, and logged, instead of
 * being sent or failing as a bare 500. The limits on documents (limits.ts) keep answers
 * far below this; it is the last line, not the first.
 */
import type { FormattedExecutionResult } from 'graphql';
import type { Logger } from 'pino';
import { LIMITS } from './limits';

export type StringifyResult = (value: FormattedExecutionResult) => string;

export function boundedStringify(
  logger: Logger,
  maxBytes: number = LIMITS.maxResponseBytes,
): StringifyResult {
  return (value) => {
    let text: string;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      // V8 refuses strings over ~512 MB ("Invalid string length").
      logger.warn(
        { err: (err as Error).message, maxBytes },
        'GraphQL answer too large to serialise; refused',
      );
      return tooLarge(null, maxBytes);
    }
    // A string's length is at most its UTF-8 size: count bytes only when it could matter.
    const bytes = text.length * 3 > maxBytes ? Buffer.byteLength(text) : text.length;
    if (bytes > maxBytes) {
      logger.warn({ bytes, maxBytes }, 'GraphQL answer over the response size limit; refused');
      return tooLarge(bytes, maxBytes);
    }
    // Apollo's own stringifyResult: JSON and a newline.
    return `${text}\n`;
  };
}

function tooLarge(bytes: number | null, maxBytes: number): string {
  const size = bytes === null ? 'too large to serialise' : `${bytes} bytes`;
  const message = `the answer is ${size}, over the limit of ${maxBytes} bytes: ask for fewer fields, entities or rows, or smaller pages`;
  return `${JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }], data: null })}\n`;
}
