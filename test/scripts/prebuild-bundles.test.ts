/**
 * scripts/prebuild-bundles.mjs (run by the Dockerfile): the CLI entry and every worker
 * module under src/ bundled into the cache under the names their users look for, so a
 * server that cannot write its tree finds them fresh.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundled, bundleName } from '../../src/lib/bundle.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('prebuild-bundles', () => {
  it('bundles the CLI and every worker module, as `tidemark` and OrderedWorker then find them', async () => {
    const out = spawnSync(process.execPath, ['scripts/prebuild-bundles.mjs'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const workers = readdirSync(join(root, 'src'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.worker.ts'));
    expect(workers.length).toBeGreaterThan(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(' → ')[0])).toEqual(['src/cli.ts', ...workers.map((f) => `src/${f}`)]);
    for (const line of lines) {
      const [source, bundle] = line.split(' → ') as [string, string];
      expect(existsSync(join(root, bundle))).toBe(true);
      // The same file is what a later start asks for: fresh, not bundled again.
      const url = await bundled(join(root, source), bundleName(join(root, source)));
      expect(fileURLToPath(url!)).toBe(join(root, bundle));
    }
  });
});
