/**
 * The landing directory is the only place file sources may read. A contract's
 * `source.path` is a glob relative to it; anything that would leave it (`..`, an
 * absolute path elsewhere, a symlink pointing out) is refused, not skipped.
 */
import { lstat, readdir, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ForbiddenError, InputError } from '../errors';

/** Files in the landing dir matching `pattern`, sorted, as absolute real paths. */
export async function resolveLandingFiles(landingDir: string, pattern: string): Promise<string[]> {
  const root = await realpath(landingDir);
  const rel = toRelativePattern([resolve(landingDir), root], pattern);
  const matcher = globToRegExp(rel);
  const out: string[] = [];
  for await (const file of walk(root, root)) {
    if (matcher.test(relative(root, file).split(sep).join('/'))) out.push(await insideRoot(root, file));
  }
  return out.sort();
}

/** One explicit file (e.g. `tidemark run --file`), checked like a glob match. */
export async function resolveLandingFile(landingDir: string, file: string): Promise<string> {
  const root = await realpath(landingDir);
  const abs = isAbsolute(file) ? file : join(root, file);
  // Lexically inside the directory as configured or as resolved (it may be reached through a symlink).
  if (!isInside(root, resolve(abs)) && !isInside(resolve(landingDir), resolve(abs))) {
    throw new ForbiddenError(`'${file}' is outside the landing directory ${root}`);
  }
  try {
    return await insideRoot(root, abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InputError(`no such file in the landing directory: '${file}'`);
    throw err;
  }
}

/** `roots`: the landing directory as configured and as resolved; an absolute pattern may use either. */
function toRelativePattern(roots: string[], pattern: string): string {
  let p = pattern.replace(/\\/g, '/');
  if (isAbsolute(p)) {
    const base = roots.find((r) => isInside(r, resolve(p)));
    if (base === undefined)
      throw new ForbiddenError(`source path '${pattern}' is outside the landing directory`);
    p = relative(base, p).split(sep).join('/');
  }
  if (p.split('/').some((seg) => seg === '..')) {
    throw new ForbiddenError(
      `source path '${pattern}' must not contain '..': it would leave the landing directory`,
    );
  }
  return p.replace(/^\.\//, '');
}

async function insideRoot(root: string, file: string): Promise<string> {
  const real = await realpath(file);
  if (!isInside(root, real)) {
    // Not naming where it points: the message reaches API callers, the target is the host's business.
    throw new ForbiddenError(
      `'${relative(root, file)}' is a link that resolves outside the landing directory; refused`,
    );
  }
  return real;
}

function isInside(root: string, p: string): boolean {
  const r = relative(root, p);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

async function* walk(dir: string, root: string, depth = 0): AsyncGenerator<string> {
  if (depth > 16) return;
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.name.startsWith('.')) continue; // partial uploads and editor files
    if (e.isDirectory()) yield* walk(full, root, depth + 1);
    else if (e.isFile()) yield full;
    else if (e.isSymbolicLink()) {
      const st = await lstat(full);
      if (st.isSymbolicLink()) yield full; // checked by insideRoot when matched
    }
  }
}

/** `*` one segment's characters, `**` any depth, `?` one character, `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) throw new InputError(`unclosed '{' in source path '${glob}'`);
      re +=
        '(?:' +
        glob
          .slice(i + 1, end)
          .split(',')
          .map(escape)
          .join('|') +
        ')';
      i = end;
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

function escape(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}
