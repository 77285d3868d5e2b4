#!/usr/bin/env node
// Builds the console (console/ → console/dist, served by `tidemark serve` at /) when its
// sources changed since the last build. Runs at `npm install` / `npm ci` (prepare) and
// before `npm start` (prestart), so a fresh clone and a `git pull` both serve a current
// console; the build output is never committed.
//
//   node scripts/build-console.mjs           build when missing or stale
//   node scripts/build-console.mjs --force   build anyway
//
// Where dev dependencies are not installed (npm ci --omit=dev) there is no Vite: it says
// so and exits 0, and the server answers / with a page saying how to build the console.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONSOLE = join(ROOT, 'console');
const DIST = join(CONSOLE, 'dist');
const STAMP = join(DIST, '.source-hash');
const INPUTS = ['index.html', 'vite.config.ts', 'package.json', 'src'];

function files(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => files(join(path, name)));
}

/** Every source file's path and bytes, and the lock file (a dependency update rebuilds too). */
function sourceHash() {
  const h = createHash('sha256');
  for (const f of [...INPUTS.flatMap((i) => files(join(CONSOLE, i))), join(ROOT, 'package-lock.json')]) {
    if (!existsSync(f)) continue;
    h.update(relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

if (!existsSync(join(CONSOLE, 'index.html'))) {
  console.log('console: no console/ sources here; nothing to build');
  process.exit(0);
}
const hash = sourceHash();
const force = process.argv.includes('--force');
if (!force && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) process.exit(0);

let vite;
try {
  vite = await import('vite');
} catch {
  console.warn(
    'console: Vite is not installed (dev dependencies omitted?), so the console is not built; ' +
      '/ says so until `npm install` and `npm run build:console`.',
  );
  process.exit(0);
}
const started = Date.now();
await vite.build({ root: CONSOLE, configFile: join(CONSOLE, 'vite.config.ts'), logLevel: 'warn' });
writeFileSync(STAMP, hash);
console.log(`console: built into ${relative(ROOT, DIST)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
