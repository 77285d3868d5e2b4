/** Generated inputs are kept under bench/out/data, named by what determines them, and made once. */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export async function cached(
  dir: string,
  name: string,
  make: (tmpPath: string) => Promise<unknown>,
): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  if (existsSync(path)) return path;
  const tmp = `${path}.${process.pid}.tmp`;
  await make(tmp);
  renameSync(tmp, path);
  return path;
}
