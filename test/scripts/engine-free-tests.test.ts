import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script of the test runner, without types
import { engineFreeTests } from '../../scripts/engine-free-tests.mjs';

const free = engineFreeTests as (root: string) => string[];

describe('which test files the PostgreSQL leg skips', () => {
  let root: string | null = null;
  afterEach(() => root && rmSync(root, { recursive: true, force: true }));

  function tree(files: Record<string, string>): string {
    root = mkdtempSync(join(tmpdir(), 'tm-engine-free-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('keeps every file that reaches the engine through its helpers, however deep', () => {
    const r = tree({
      'test/support/engine.ts': 'export function testEngine() {}',
      'test/support/db.ts': "import { testEngine } from './engine';",
      'test/support/runtime.ts': "export * from './db.js';",
      'test/store/a.test.ts': "import { x } from '../support/runtime';",
      'test/store/b.test.ts': "const { y } = await import('../support/db');",
      'test/store/c.test.ts': 'if (process.env.TEST_DATABASE_URL) {}',
      'test/lib/pure.test.ts': "import { kll } from '../../src/kll';\nimport { h } from './helper';",
      'test/lib/helper.ts': "import { z } from '../../src/z';",
      'test/lib/cycle.test.ts': "import { a } from './cycle-a';",
      'test/lib/cycle-a.ts': "import { b } from './cycle-b';",
      'test/lib/cycle-b.ts': "import { a } from './cycle-a';",
    });
    expect(free(r)).toEqual(['test/lib/cycle.test.ts', 'test/lib/pure.test.ts']);
  });

  it('on this repository: store tests run on both legs, a sketch test on the first only', () => {
    const list = free(process.cwd());
    expect(list).toContain('test/quality/profile/sketches.test.ts');
    expect(list).not.toContain('test/store/feature.repository.test.ts');
    expect(list).not.toContain('test/cli/commands.test.ts');
    expect(list).not.toContain('test/errors.test.ts');
  });
});
