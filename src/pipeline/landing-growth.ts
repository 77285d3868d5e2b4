/**
 * Landing files are append-only to Tidemark. What was acquired of a file is
 * remembered as segments [start, end) with the sha256 of the file's first `end` bytes
 * (store/landing-segment.repository.ts). Looking at the file again, against its last
 * segment:
 *
 * - same first `end` bytes, same size: nothing new in it;
 * - same first `end` bytes, more after them: the appended complete lines are the next
 *   segment. A CSV with a header gets the file's header line in front, so the segment
 *   reads on its own as a raw batch (and when reprocessed); a last line without its
 *   line end is not complete yet and waits for the next look;
 * - anything else (the file is shorter, a byte already ingested changed, or the line
 *   ingested last without a line end was continued): the file changed after it was
 *   ingested. Reading it again would store its rows twice, so it is refused.
 *
 * Everything is read through one open file handle, up to the size seen when it was
 * opened: a writer appending meanwhile only adds bytes for the next look.
 */
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

const CHUNK = 1 << 20;

/** How lines end in the file's encoding: one byte, or a two-byte unit at even offsets (UTF-16LE). */
export interface LineEnd {
  lf: Buffer;
  cr: Buffer;
  /** Offsets of a line end must be multiples of this. */
  unit: number;
}

export function lineEndOf(encoding: string | undefined): LineEnd {
  return encoding && /^(utf-?16le|ucs-?2)$/i.test(encoding)
    ? { lf: Buffer.from([0x0a, 0x00]), cr: Buffer.from([0x0d, 0x00]), unit: 2 }
    : { lf: Buffer.from([0x0a]), cr: Buffer.from([0x0d]), unit: 1 };
}

/** What was acquired of the file up to now: its last segment's end and prefix hash. */
export interface Ingested {
  end: number;
  prefixSha256: string;
}

export type Growth =
  | { kind: 'unchanged' }
  /** Bytes were appended, but no complete line yet. */
  | { kind: 'incomplete' }
  | { kind: 'changed'; reason: string }
  | { kind: 'grown'; part: AppendedPart };

/** Reads bytes [start, end) of an open file, a chunk at a time (each chunk its own buffer). */
export async function* readRange(fh: FileHandle, start: number, end: number): AsyncGenerator<Buffer> {
  for (let at = start; at < end;) {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, end - at));
    const { bytesRead } = await fh.read(buf, 0, buf.length, at);
    if (bytesRead === 0) throw new Error(`the file ended at byte ${at}, before ${end}: it was truncated`);
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
    at += bytesRead;
  }
}

/** sha256 of bytes [0, size) of an open file. */
export async function hashHead(fh: FileHandle, size: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of readRange(fh, 0, size)) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * How the file (open as `fh`, `size` bytes now) relates to what was ingested of it.
 * `header`: whether a segment needs the file's first line in front (CSV with a header).
 */
export async function inspectGrowth(
  fh: FileHandle,
  size: number,
  ingested: Ingested,
  lineEnd: LineEnd,
  header: boolean,
): Promise<Growth> {
  const L = ingested.end;
  if (size < L)
    return { kind: 'changed', reason: `it has ${size} bytes now, fewer than the ${L} already ingested` };
  const hash = createHash('sha256');
  let firstLineEnd: number | null = null;
  let at = 0;
  for await (const chunk of readRange(fh, 0, L)) {
    if (firstLineEnd === null) {
      const i = indexOfAligned(chunk, lineEnd.lf, lineEnd.unit, at);
      if (i >= 0) firstLineEnd = at + i + lineEnd.lf.length;
    }
    hash.update(chunk);
    at += chunk.length;
  }
  if (hash.copy().digest('hex') !== ingested.prefixSha256)
    return {
      kind: 'changed',
      reason: `its first ${L} bytes, already ingested, are not what was read then`,
    };
  if (size === L) return { kind: 'unchanged' };

  // Where the new lines begin: right at L when the ingested bytes end with a line end;
  // else the appended bytes must begin by ending that last line.
  const dataStart = await lineContinues(fh, L, size, lineEnd);
  if (dataStart === null)
    return {
      kind: 'changed',
      reason: `its last line, ingested without a line end, was continued by the bytes appended after it`,
    };
  const end = await lastLineEnd(fh, dataStart, size, lineEnd);
  if (end === null) return { kind: 'incomplete' };
  // The first line ends within what is read now: inside the ingested bytes, or at dataStart.
  const headerEnd = firstLineEnd ?? dataStart;
  const head = header && dataStart > 0 ? await readAll(fh, 0, headerEnd) : null;
  return { kind: 'grown', part: new AppendedPart(fh, L, dataStart, end, head, hash) };
}

/**
 * The next segment: bytes [start, end) of the file, of which [dataStart, end) are new
 * lines (bytes before dataStart end the line ingested last). As a raw batch's content:
 * the header line, then the new lines. Its prefix hash is known once it was streamed.
 */
export class AppendedPart {
  private digest: string | null = null;

  constructor(
    private readonly fh: FileHandle,
    readonly start: number,
    readonly dataStart: number,
    readonly end: number,
    private readonly header: Buffer | null,
    private readonly hash: Hash,
  ) {}

  async *content(): AsyncGenerator<Buffer> {
    if (this.header) yield this.header;
    let at = this.start;
    for await (const chunk of readRange(this.fh, this.start, this.end)) {
      this.hash.update(chunk);
      const skip = Math.max(0, this.dataStart - at);
      at += chunk.length;
      if (skip < chunk.length) yield skip === 0 ? chunk : chunk.subarray(skip);
    }
    this.digest = this.hash.digest('hex');
  }

  /** sha256 of the file's bytes [0, end): known once `content()` was read to its end. */
  get prefixSha256(): string {
    if (this.digest === null) throw new Error('the appended part was not read to its end');
    return this.digest;
  }
}

/** dataStart for bytes appended at L, or null when they continue the last ingested line. */
async function lineContinues(fh: FileHandle, L: number, size: number, le: LineEnd): Promise<number | null> {
  const n = le.lf.length;
  if (L === 0) return 0;
  if (L >= n && (await readAll(fh, L - n, L)).equals(le.lf)) return L;
  const after = await readAll(fh, L, Math.min(size, L + 2 * n));
  if (after.subarray(0, n).equals(le.lf)) return L + n;
  if (after.length === 2 * n && after.subarray(0, n).equals(le.cr) && after.subarray(n).equals(le.lf))
    return L + 2 * n;
  return null;
}

/** The offset just after the last line end in [from, size), or null when there is none. */
async function lastLineEnd(fh: FileHandle, from: number, size: number, le: LineEnd): Promise<number | null> {
  const n = le.lf.length;
  // Backwards a chunk at a time; chunks overlap by n - 1 bytes so a line end across their border is found.
  for (let hi = size; hi - from >= n;) {
    const lo = Math.max(from, hi - CHUNK);
    const buf = await readAll(fh, lo, hi);
    for (let i = buf.length - n; i >= 0; i--) {
      if ((lo + i) % le.unit !== 0) continue;
      if (buf[i] === le.lf[0] && (n === 1 || buf[i + 1] === le.lf[1])) return lo + i + n;
    }
    if (lo === from) break;
    hi = lo + n - 1;
  }
  return null;
}

function indexOfAligned(buf: Buffer, needle: Buffer, unit: number, offset: number): number {
  for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) {
    if ((offset + i) % unit === 0) return i;
  }
  return -1;
}

async function readAll(fh: FileHandle, start: number, end: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of readRange(fh, start, end)) parts.push(chunk);
  return Buffer.concat(parts);
}
