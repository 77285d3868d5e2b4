// Which test files never touch the database engine of the leg: they neither reach
// test/support/engine.ts through their imports (db, runtime and cli helpers all do) nor
// read TIDEMARK_TEST_ENGINE or TEST_DATABASE_URL themselves. Such a file gives the same
// result on every leg, so `npm test` runs it in the SQLite leg only. Found by reading the
// imports rather than by a list, so a new test that starts using a store is never skipped.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ENGINE_MARKS = /support\/engine|\btestEngine\b|TIDEMARK_TEST_ENGINE|TEST_DATABASE_URL/;
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Test files (relative to `root`, forward slashes) whose outcome cannot depend on the engine. */
export function engineFreeTests(root) {
  const testDir = join(root, 'test');
  const memo = new Map();
  const dependsOnEngine = (file, stack) => {
    if (memo.has(file)) return memo.get(file);
    // Only the tests' own helpers can choose an engine; src/ takes it from its options.
    if (!file.startsWith(testDir) || stack.has(file)) return false;
    stack.add(file);
    const text = readFileSync(file, 'utf8');
    let depends = ENGINE_MARKS.test(text);
    for (const m of depends ? [] : text.matchAll(IMPORT)) {
      const target = resolveImport(file, m[1]);
      if (target && dependsOnEngine(target, stack)) {
        depends = true;
        break;
      }
    }
    stack.delete(file);
    memo.set(file, depends);
    return depends;
  };
  return readdirSync(testDir, { recursive: true })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(testDir, f))
    .filter((f) => !dependsOnEngine(f, new Set()))
    .map((f) => relative(root, f).split('\\').join('/'))
    .sort();
}

function resolveImport(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, base.replace(/\.js$/, '.ts'), join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return candidate;
  }
  return null;
}
