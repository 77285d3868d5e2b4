/**
 * Raw batches on disk: content-addressed by sha256 under `<rawDir>/<ab>/<sha256>`,
 * written once (temp file + rename, so a crash never leaves a half file under a
 * real name) and never modified. Reprocessing reads from here, never the source.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { randomUUID } from 'node:crypto';

export interface StoredBlob {
  sha256: string;
  sizeBytes: number;
  /** Path relative to the raw directory. */
  storagePath: string;
}

export class RawStore {
  constructor(private readonly rawDir: string) {}

  /** Copies a stream into the store; identical content lands on the same path. */
  async put(source: Readable): Promise<StoredBlob> {
    await mkdir(this.rawDir, { recursive: true });
    const tmp = join(this.rawDir, `.incoming-${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    try {
      await pipeline(source, tap, createWriteStream(tmp, { flags: 'wx' }));
      const sha256 = hash.digest('hex');
      const storagePath = join(sha256.slice(0, 2), sha256);
      await mkdir(join(this.rawDir, sha256.slice(0, 2)), { recursive: true });
      if (await exists(join(this.rawDir, storagePath))) await rm(tmp);
      else await rename(tmp, join(this.rawDir, storagePath));
      return { sha256, sizeBytes: size, storagePath };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  putFile(path: string): Promise<StoredBlob> {
    return this.put(createReadStream(path));
  }

  putBuffer(buf: Buffer): Promise<StoredBlob> {
    return this.put(Readable.from([buf]));
  }

  open(storagePath: string): Readable {
    return createReadStream(join(this.rawDir, storagePath));
  }

  /** sha256 of a file without storing it: to recognise content already ingested. */
  static async hashFile(path: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
