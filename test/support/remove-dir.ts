/**
 * Removes a test's temporary directory. Retried: a SQLite connection that is still
 * closing when a test ends can create its -wal or -shm file again while the directory
 * is emptied, and the final rmdir then fails with ENOTEMPTY (seen once in CI, on a
 * GraphQL test's teardown); Node retries the whole removal on that error.
 */
import { rmSync } from 'node:fs';

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
}
