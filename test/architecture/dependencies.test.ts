/**
 * The floors of src/, read from the import statements themselves: domain/ (the shared
 * types) imports nothing of ours, lib/ (generic helpers) only domain and errors, the
 * store nothing above it, and no two folders import each other, directly or round a
 * circle. A new import that breaks a rule fails here with the file and line that did.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '../../src');

interface Edge {
  from: string;
  to: string;
  /** src-relative file and line, for the message. */
  where: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The folder under src/ a file belongs to; a file at the top (config.ts) is its own node. */
function nodeOf(file: string): string {
  const [top, ...rest] = relative(SRC, file).split(sep);
  return rest.length === 0 ? top!.replace(/\.ts$/, '') : top!;
}

// Static and dynamic imports and re-exports, type-only ones included: a type is a dependency too.
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? '';
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (relative(SRC, target).startsWith('..')) continue;
      const line = text.slice(0, (m.index ?? 0) + m[0].length).split('\n').length;
      edges.push({
        from: nodeOf(file),
        to: nodeOf(`${target}.ts`),
        where: `src/${relative(SRC, file)}:${line} imports ${spec}`,
      });
    }
  }
  return edges;
}

/** Some circle through the folder graph, as a path that returns to its start, or null. */
function findCycle(edges: Edge[]): string[] | null {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.from === e.to) continue;
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'open');
    path.push(n);
    for (const m of [...(next.get(n) ?? [])].sort()) {
      const found = visit(m);
      if (found) return found;
    }
    path.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of [...next.keys()].sort()) {
    const found = visit(n);
    if (found) return found;
  }
  return null;
}

function offending(edges: Edge[], from: string, allowed: (to: string) => boolean): string[] {
  return edges.filter((e) => e.from === from && e.to !== from && !allowed(e.to)).map((e) => e.where);
}

describe('the import graph of src/', () => {
  const edges = importEdges();

  it('is read from the sources (the reader finds the imports it judges)', () => {
    // Guards the rules below against a reader that finds nothing and so passes everything.
    expect(edges.some((e) => e.from === 'store' && e.to === 'domain')).toBe(true);
    expect(edges.some((e) => e.from === 'pipeline' && e.to === 'store')).toBe(true);
  });

  it('domain/ imports nothing of ours', () => {
    expect(offending(edges, 'domain', () => false)).toEqual([]);
  });

  it('lib/ imports only domain/ and errors', () => {
    expect(offending(edges, 'lib', (to) => to === 'domain' || to === 'errors')).toEqual([]);
  });

  it('store/ imports nothing from the floors above it', () => {
    const above = new Set([
      'pipeline',
      'quality',
      'contracts',
      'graphql',
      'serving',
      'cli',
      'server',
      'streaming',
      'scheduling',
      'events',
      'auth',
      'runtime',
    ]);
    expect(offending(edges, 'store', (to) => !above.has(to))).toEqual([]);
  });

  it('knex is imported only under store/: SQL lives in the repositories', () => {
    // Everything else asks the store (a repository, Store.readRows, Store.runEvents), so a
    // query's plan is tested where it is written and no layer above builds SQL of its own.
    const outside: string[] = [];
    for (const file of sourceFiles(SRC)) {
      if (nodeOf(file) === 'store') continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(IMPORT))
        if ((m[1] ?? m[2]) === 'knex') outside.push(`src/${relative(SRC, file)}`);
    }
    expect(outside).toEqual([]);
  });

  it('has no circle between folders', () => {
    const cycle = findCycle(edges);
    const witnesses = cycle
      ? cycle.slice(1).map((to, i) => edges.find((e) => e.from === cycle[i] && e.to === to)!.where)
      : [];
    expect(cycle ? `${cycle.join(' -> ')}\n  ${witnesses.join('\n  ')}` : null).toBeNull();
  });

  it('finds a circle when there is one', () => {
    const e = (from: string, to: string): Edge => ({ from, to, where: `${from}->${to}` });
    expect(findCycle([e('a', 'b'), e('b', 'c'), e('c', 'a'), e('c', 'd')])).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle([e('a', 'b'), e('b', 'c'), e('a', 'c')])).toBeNull();
  });
});
