/**
 * Reading a grown landing file against what was ingested of it (landing-growth.ts),
 * on real files: line ends found across the 1 MiB read chunks, UTF-16 line ends only
 * at code-unit boundaries, and the prefix hash carried on to the new end.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectGrowth, lineEndOf, type Growth } from '../../src/pipeline/landing-growth';

const dir = mkdtempSync(join(tmpdir(), 'tidemark-growth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Writes `before` + `appended`, inspects it as if `before` was ingested; answers the growth and the new content. */
async function grow(before: Buffer, appended: Buffer, encoding?: string, header = true) {
  const file = join(dir, `f${Math.random().toString(36).slice(2)}`);
  const all = Buffer.concat([before, appended]);
  writeFileSync(file, all);
  const fh = await open(file, 'r');
  try {
    const ingested = { end: before.length, prefixSha256: sha(before) };
    const growth: Growth = await inspectGrowth(fh, all.length, ingested, lineEndOf(encoding), header);
    if (growth.kind !== 'grown') return { growth, content: null, all };
    const parts: Buffer[] = [];
    for await (const chunk of growth.part.content()) parts.push(chunk);
    expect(growth.part.prefixSha256).toBe(sha(all.subarray(0, growth.part.end)));
    return {
      growth,
      content: Buffer.concat(parts).toString(encoding === 'utf16le' ? 'utf16le' : 'utf8'),
      all,
    };
  } finally {
    await fh.close();
  }
}

describe('inspectGrowth', () => {
  it('finds the last line end more than a read chunk before the end of the file', async () => {
    const long = 'x'.repeat(1_500_000); // a last line still being written, longer than a chunk
    const { growth, content } = await grow(Buffer.from('h\na\n'), Buffer.from(`b\nc\n${long}`));
    expect(growth.kind).toBe('grown');
    expect(content).toBe('h\nb\nc\n');
  });

  it('takes megabytes appended at once, whole lines only, with the header in front', async () => {
    const lines = Array.from({ length: 80_000 }, (_, i) => `2024-01-01,C${i},${i}\n`).join('');
    const { content } = await grow(Buffer.from('date,country,cases\n'), Buffer.from(lines + '2024-01-02,C'));
    expect(content).toBe('date,country,cases\n' + lines);
  });

  it('in UTF-16, a line end is a whole code unit: a 0x0A byte inside another character is not one', async () => {
    const wide = (s: string) => Buffer.from(s, 'utf16le');
    // U+0A0D is the bytes 0D 0A; U+0A00 is 00 0A: neither ends a line, nor do the bytes across them.
    const { growth, content } = await grow(wide('h\nr1\n'), wide('r2\n\u0a0d\u0a00x'), 'utf16le');
    expect(growth.kind).toBe('grown');
    expect(content).toBe('h\nr2\n');
  });

  it('without a header (JSON Lines, headerless CSV) the new lines alone', async () => {
    const { content } = await grow(Buffer.from('{"a":1}\n'), Buffer.from('{"a":2}\n'), undefined, false);
    expect(content).toBe('{"a":2}\n');
  });

  it('says what changed: shorter, different bytes, a continued last line; and when nothing is complete yet', async () => {
    const base = Buffer.from('h\na\n');
    const changed = async (after: Buffer) => {
      const file = join(dir, `c${Math.random().toString(36).slice(2)}`);
      writeFileSync(file, after);
      const fh = await open(file, 'r');
      try {
        return await inspectGrowth(
          fh,
          after.length,
          { end: base.length, prefixSha256: sha(base) },
          lineEndOf(undefined),
          true,
        );
      } finally {
        await fh.close();
      }
    };
    expect(await changed(Buffer.from('h\n'))).toEqual({
      kind: 'changed',
      reason: 'it has 2 bytes now, fewer than the 4 already ingested',
    });
    expect((await changed(Buffer.from('h\nb\nc\n'))).kind).toBe('changed');
    expect(await changed(Buffer.from('h\na\nb'))).toEqual({ kind: 'incomplete' });
    expect(await changed(base)).toEqual({ kind: 'unchanged' });
    const unterminated = await grow(Buffer.from('h\na'), Buffer.from('b\n'));
    expect(unterminated.growth).toEqual({
      kind: 'changed',
      reason: 'its last line, ingested without a line end, was continued by the bytes appended after it',
    });
  });
});
