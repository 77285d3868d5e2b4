/**
 * Bundles what `tidemark` runs (its CLI entry and every worker-thread module, the
 * `*.worker.ts` files under src/) into node_modules/.cache/tidemark/ ahead of time.
 * The Docker image runs this at build, while its tree is writable: the server there may
 * not write under /app, so a bundle it would make on first use could not be saved, and a
 * worker thread (the Parquet encoder of a bulk training set) would fall back to tsx.
 * Prints each bundle; exits 1 naming any entry that cannot be bundled.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundled, bundleName } from '../src/lib/bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');

const workers = readdirSync(src, { recursive: true })
  .filter((f) => f.endsWith('.worker.ts'))
  .map((f) => join(src, f));

let failed = false;
for (const entry of [join(src, 'cli.ts'), ...workers]) {
  const url = await bundled(entry, bundleName(entry));
  if (url) console.log(`${relative(root, entry)} → ${relative(root, fileURLToPath(url))}`);
  else {
    console.error(`error: ${relative(root, entry)} could not be bundled (run it with tsx to see why)`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
