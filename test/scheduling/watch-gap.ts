/**
 * Chokidar reads a new directory and only then starts watching it; whatever lands in
 * between gets no event. The gap is a few microtasks wide, so a test that merely renames
 * files in quickly almost never hits it. Its end is chokidar's call to fs.watch: acting
 * inside that call puts the file in the gap every time.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { resolve } from 'node:path';

/**
 * Until the returned undo is called, `act(dir)` runs (synchronously) each time anything
 * starts an fs.watch on `dir`, before the watch exists. `dir` is an absolute path.
 */
export function beforeWatchStarts(act: (dir: string) => void): () => void {
  const real = fs.watch;
  const hooked = ((path: fs.PathLike, ...rest: unknown[]) => {
    act(resolve(String(path)));
    return (real as (...args: unknown[]) => fs.FSWatcher)(path, ...rest);
  }) as typeof fs.watch;
  fs.watch = hooked;
  // Chokidar imports `watch` from 'fs' as an ES module binding: this carries the change there.
  syncBuiltinESMExports();
  return () => {
    if (fs.watch !== hooked) return;
    fs.watch = real;
    syncBuiltinESMExports();
  };
}
