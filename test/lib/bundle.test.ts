/**
 * src/lib/bundle.mjs: an entry bundled into node_modules/.cache/tidemark and run as plain
 * JavaScript. Each source keeps its own import.meta.url, a package subpath is spelled so
 * plain Node resolves it, the bundle is reused while its sources are unchanged and made
 * again when one changes, and a source that does not compile gives null (the caller then
 * runs the sources through tsx).
 */
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundled } from '../../src/lib/bundle.mjs';

const dir = mkdtempSync(join(tmpdir(), 'tidemark-bundle-'));
const name = `test-${process.pid}-${Date.now()}`;
const cache = fileURLToPath(new URL('../../node_modules/.cache/tidemark/', import.meta.url));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const f of readdirSync(cache)) if (f.startsWith(name)) rmSync(join(cache, f), { force: true });
});

describe('bundled', () => {
  const a = join(dir, 'a.ts');
  const b = join(dir, 'b.ts');
  writeFileSync(
    a,
    [
      "import { b } from './b';",
      "import Ajv2019 from 'ajv/dist/2019';",
      'export const url: string = import.meta.url;',
      'export const fromB: string = b;',
      'export const ajv: string = typeof Ajv2019;',
      // The text of a source-map comment in a source (bundle.mjs's own, when a bench worker bundles it).
      'export const comment: string = `//# sourceMappingURL=${url}.map`;',
    ].join('\n'),
  );
  writeFileSync(b, 'export const b: string = import.meta.url;\n');

  it('runs each source with its own import.meta.url and packages as Node resolves them; reuses it while unchanged', async () => {
    const first = await bundled(a, name);
    expect(first).not.toBeNull();
    expect(fileURLToPath(first!)).toMatch(
      new RegExp(`/node_modules/\\.cache/tidemark/${name}-[0-9a-f]{16}\\.mjs$`),
    );
    const m = (await import(first!.href)) as { url: string; fromB: string; ajv: string; comment: string };
    expect(m.url).toBe(pathToFileURL(a).href);
    expect(m.fromB).toBe(pathToFileURL(b).href);
    expect(m.ajv).toBe('function');
    expect(m.comment).toBe(`//# sourceMappingURL=${pathToFileURL(a).href}.map`);
    // The bundle's own comment names its map, which sits beside it.
    expect(readFileSync(fileURLToPath(first!), 'utf8').trimEnd().split('\n').at(-1)).toBe(
      `//# sourceMappingURL=${basename(fileURLToPath(first!))}.map`,
    );
    expect(existsSync(`${fileURLToPath(first!)}.map`)).toBe(true);
    expect((await bundled(a, name))!.href).toBe(first!.href);
  });

  it('bundles again when a source changes, and gives null when one does not compile', async () => {
    const before = await bundled(a, name);
    writeFileSync(b, "export const b: string = 'changed, ' + import.meta.url;\n");
    const after = await bundled(a, name);
    expect(after!.href).not.toBe(before!.href);
    expect(((await import(after!.href)) as { fromB: string }).fromB).toBe(
      `changed, ${pathToFileURL(b).href}`,
    );
    writeFileSync(b, 'export const b: string = ;\n');
    expect(await bundled(a, name)).toBeNull();
  });

  it('removes its own superseded bundles once an hour old, and never those of another name', async () => {
    const hours = (h: number) => new Date(Date.now() - h * 3_600_000);
    const place = (file: string, age: number) => {
      writeFileSync(join(cache, file), '// old\n');
      utimesSync(join(cache, file), hours(age), hours(age));
      return join(cache, file);
    };
    const stale = [place(`${name}-${'a'.repeat(16)}.mjs`, 2), place(`${name}-${'a'.repeat(16)}.mjs.map`, 2)];
    const recent = place(`${name}-${'b'.repeat(16)}.mjs`, 0.5);
    const other = place(`${name}-x-${'c'.repeat(16)}.mjs`, 2);
    writeFileSync(b, "export const b: string = 'once more';\n");
    const now = await bundled(a, name);
    expect(now).not.toBeNull();
    expect(stale.filter(existsSync)).toEqual([]);
    expect(existsSync(recent)).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(existsSync(fileURLToPath(now!))).toBe(true);
  });
});
