/**
 * Landed files declared UTF-8 (the default) must be UTF-8: a decoder would turn each
 * invalid byte into U+FFFD silently and store text nobody sent. Such a file is refused
 * (the run fails as an input problem, naming the raw batch and the byte offset); its raw
 * batch stays kept, so a corrected contract `encoding` can reprocess it.
 *
 * Checked chunk by chunk with the native `isUtf8`; a multi-byte character split across
 * two chunks is carried over to the next.
 */
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { InputError } from '../../errors';

export function declaresUtf8(encoding: string | undefined): boolean {
  return encoding === undefined || /^utf-?8$/i.test(encoding);
}

/** The input's chunks, unchanged, each checked before it is passed on. */
export async function* utf8Checked(input: Readable, rawBatchId: string): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0; // bytes of the input before `carry`
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      yield Buffer.from(chunk); // already text: nothing left to check
      continue;
    }
    const bytes = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const cut = completeLength(bytes);
    const whole = bytes.subarray(0, cut);
    if (!isUtf8(whole)) refuse(rawBatchId, offset + firstInvalid(whole));
    offset += cut;
    carry = Buffer.from(bytes.subarray(cut));
    yield chunk as Buffer;
  }
  if (carry.length > 0) refuse(rawBatchId, offset);
}

function refuse(rawBatchId: string, at: number): never {
  throw new InputError(
    `raw batch ${rawBatchId} is not valid UTF-8 (invalid byte at offset ${at}); ` +
      'declare its encoding in the contract (source.encoding) or fix the file',
    { offset: at },
  );
}

/** Bytes up to the last character boundary: a trailing, still incomplete sequence is left out. */
function completeLength(b: Buffer): number {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const byte = b[b.length - back]!;
    if (byte < 0x80) return b.length; // ASCII: complete
    if (byte >= 0xc0) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return need > back ? b.length - back : b.length;
    }
  }
  return b.length;
}

/** Offset of the first byte that is not part of a valid sequence (only called once isUtf8 said no). */
function firstInvalid(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const n = sequenceLength(b, i);
    if (n === 0) return i;
    i += n;
  }
  return b.length;
}

function sequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const need = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (need === 0 || i + need > b.length) return 0;
  for (let k = 1; k < need; k++) if ((b[i + k]! & 0xc0) !== 0x80) return 0;
  return isUtf8(b.subarray(i, i + need)) ? need : 0;
}
