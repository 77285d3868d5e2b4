/**
 * An upload written to a temporary file, for formats that cannot be read as they stream
 * (a Parquet file's footer comes last). The bytes are counted as they arrive and the
 * upload is refused as soon as it passes the limit, so a disk is never filled by one
 * request. The caller removes the file with `dispose()` whatever happens.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { InputError } from '../errors';

export interface Spooled {
  path: string;
  bytes: number;
  dispose(): Promise<void>;
}

export async function spool(input: Readable, maxBytes: number, what: string): Promise<Spooled> {
  const dir = await mkdtemp(join(tmpdir(), 'tidemark-spool-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'upload');
  const file = createWriteStream(path);
  let bytes = 0;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw new InputError(`${what} is over ${maxBytes} bytes, the limit per request`);
      if (!file.write(chunk)) await once(file, 'drain');
    }
    file.end();
    await once(file, 'close');
  } catch (err) {
    file.destroy();
    await dispose();
    throw err;
  }
  return { path, bytes, dispose };
}
