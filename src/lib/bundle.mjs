/**
 * Tidemark runs from its TypeScript sources: a clone needs no build step. Compiled file
 * by file on the fly (tsx), a server carried the compiler's loader thread and every
 * module's inline source map: about 45 MB of its ~190 MB at rest, in every process.
 * Instead an entry point is bundled once by esbuild (the compiler tsx itself runs on)
 * into node_modules/.cache/tidemark/ and run as plain JavaScript; packages stay imports,
 * resolved from node_modules as before.
 *
 * A bundle is reused while its inputs are unchanged: the manifest beside it lists each
 * source file with its size and modification time, so a start costs a stat per file,
 * and an edited source is bundled again on the next start. Where bundling fails (no
 * esbuild, a read-only tree, a syntax error) the caller runs the sources through tsx as
 * before, which also reports the error in its own words.
 *
 * `import.meta.url` is replaced in each source by that source's own URL: our files find
 * what lies beside them (package.json, the console's build, the worker modules) from it,
 * and in one bundle every file would otherwise share the bundle's. Source maps are
 * written beside the bundle; run with NODE_OPTIONS=--enable-source-maps to see stack
 * traces in the sources' lines.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'tidemark');
/** Files outside the sources whose change can change a bundle. */
const ALSO = ['tsconfig.json', 'package-lock.json'];

/** The cache name of an entry's bundle: its file name without `.ts` (`cli`, `training-parquet.worker`). */
export function bundleName(entry) {
  return basename(entry).replace(/\.ts$/, '');
}

/**
 * The URL of `entry` (an absolute path to a TypeScript module) bundled, named `name` in
 * the cache, or null when it cannot be bundled here.
 */
export async function bundled(entry, name) {
  try {
    const manifestFile = join(CACHE, `${name}.json`);
    const known = readJson(manifestFile);
    if (known && known.entry === entry && fresh(known.inputs) && existsSync(join(CACHE, known.bundle)))
      return pathToFileURL(join(CACHE, known.bundle));
    return pathToFileURL(await build(entry, name, manifestFile));
  } catch {
    return null;
  }
}

async function build(entry, name, manifestFile) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    tsconfig: join(ROOT, 'tsconfig.json'),
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    outfile: join(CACHE, `${name}.mjs`),
    plugins: [ownUrls, packagesAsImports],
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  const hash = createHash('sha256').update(code.contents).digest('hex').slice(0, 16);
  const file = `${name}-${hash}.mjs`;
  mkdirSync(CACHE, { recursive: true });
  // Named by content and moved into place whole: processes that bundle at once write the same bytes.
  const text = Buffer.from(code.contents)
    .toString('utf8')
    // The comment esbuild ends the bundle with, not the same text in a source's strings.
    .replace(/\/\/# sourceMappingURL=[^\n]*\s*$/, `//# sourceMappingURL=${file}.map\n`);
  if (map) atomicWrite(join(CACHE, `${file}.map`), map.contents);
  atomicWrite(join(CACHE, file), text);
  const inputs = [
    ...Object.keys(result.metafile.inputs).map((p) => join(ROOT, p)),
    ...ALSO.map((p) => join(ROOT, p)),
  ];
  const manifest = { entry, bundle: file, esbuild: esbuild.version, inputs: inputs.map(stamp) };
  atomicWrite(manifestFile, JSON.stringify(manifest));
  pruneOlder(name, file);
  return join(CACHE, file);
}

/** A superseded bundle is kept this long: a process that started on it may still be loading it. */
const SUPERSEDED_KEEP_MS = 60 * 60 * 1000;

/** Earlier bundles of `name` (and their maps), each a few hundred KB, once nothing can be loading them. */
function pruneOlder(name, current) {
  const cutoff = Date.now() - SUPERSEDED_KEEP_MS;
  const ours = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]{16}\\.mjs(\\.map)?$`);
  for (const f of readdirSync(CACHE)) {
    if (!ours.test(f) || f.startsWith(current)) continue;
    try {
      if (statSync(join(CACHE, f)).mtimeMs < cutoff) unlinkSync(join(CACHE, f));
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

/** Each of our sources with `import.meta.url` as its own URL, not the bundle's. */
const ownUrls = {
  name: 'own-urls',
  setup(b) {
    b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = readFileSync(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      const ext = extname(args.path);
      return { contents: source.replaceAll('import.meta.url', url), loader: /t/.test(ext) ? 'ts' : 'js' };
    });
  },
};

/**
 * Packages stay imports, spelled as Node's resolver takes them: tsx resolved a subpath
 * of a package without an `exports` map by trying extensions (`ajv/dist/2019`), which
 * plain Node does not. (Decided from the package's files, not by resolving: under tsx,
 * as the bench runs, a resolve would try the extensions too.)
 */
const packagesAsImports = {
  name: 'packages-as-imports',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => ({ path: nodeSpelling(args.path), external: true }));
  },
};

function nodeSpelling(specifier) {
  const m = /^((?:@[^/]+\/)?[^/@][^/]*)\/(.+)$/.exec(specifier);
  if (!m || specifier.startsWith('node:')) return specifier;
  const dir = join(ROOT, 'node_modules', m[1]);
  const pkg = readJson(join(dir, 'package.json'));
  if (!pkg || pkg.exports !== undefined) return specifier;
  for (const suffix of ['', '.js', '/index.js'])
    if (statSync(join(dir, m[2] + suffix), { throwIfNoEntry: false })?.isFile()) return specifier + suffix;
  return specifier;
}

function stamp(file) {
  const s = statSync(file, { throwIfNoEntry: false });
  return [file, s ? s.size : -1, s ? s.mtimeMs : -1];
}

function fresh(inputs) {
  return inputs.every(([file, size, mtime]) => {
    const [, s, m] = stamp(file);
    return s === size && m === mtime;
  });
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function atomicWrite(file, data) {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, data);
  renameSync(partial, file);
}
