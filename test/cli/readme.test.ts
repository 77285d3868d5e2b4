/**
 * The README's CLI table is checked against the command tree `tidemark --help`
 * prints: every command has a row naming each of its options, and every row is a
 * real command. The README and docs/ link nothing outside the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram, walkCommands } from '../../src/cli/program';
import { REPO } from '../support/cli';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');

/** `| \`contracts list [--env] [--json]\` | … |` rows of the table under `## CLI`. */
function cliRows(): Map<string, string> {
  const section = README.slice(
    README.indexOf('\n## CLI\n'),
    README.indexOf('\n## ', README.indexOf('\n## CLI\n') + 1),
  );
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| `([^`]+)` \|/gm)) {
    const words = m[1]!.split(' ');
    const path = words.filter(
      (w, i) => /^[a-z][a-z-]*$/.test(w) && words.slice(0, i).every((x) => /^[a-z][a-z-]*$/.test(x)),
    );
    rows.set(path.join(' '), m[1]!);
  }
  return rows;
}

describe('README', () => {
  const leaves = walkCommands(buildProgram()).filter((c) => c.cmd.commands.length === 0);
  const rows = cliRows();

  it('has a CLI table row for every command, naming each of its options', () => {
    expect(rows.size).toBeGreaterThan(10);
    for (const { path, cmd } of leaves) {
      const row = rows.get(path.join(' '));
      expect(row, `README has no row for \`${path.join(' ')}\``).toBeDefined();
      const described = `${row} ${README.slice(README.indexOf(row!), README.indexOf('\n', README.indexOf(row!)))}`;
      for (const o of cmd.options) expect(described, `${path.join(' ')} ${o.long}`).toContain(o.long!);
    }
  });

  it('has no row for a command that does not exist', () => {
    const real = new Set(leaves.map((l) => l.path.join(' ')));
    expect([...rows.keys()].filter((r) => !real.has(r))).toEqual([]);
  });

  it('and docs/ link only to files inside the repository that exist', () => {
    const files = ['README.md', ...readdirSync(join(REPO, 'docs')).map((f) => join('docs', f))].filter((f) =>
      f.endsWith('.md'),
    );
    for (const file of files) {
      const text = readFileSync(join(REPO, file), 'utf8');
      expect(text, file).not.toMatch(/\.\.\/shared|DESIGN\.md/);
      for (const m of text.matchAll(/\]\(([^)]+)\)/g)) {
        const target = m[1]!;
        if (target.startsWith('#')) continue; // a heading of the same page
        expect(target, `${file} links ${target}`).not.toMatch(/^[a-z]+:/);
        const path = resolve(dirname(join(REPO, file)), target.split('#')[0]!);
        expect(path.startsWith(REPO + '/'), `${file} links ${target}`).toBe(true);
        expect(existsSync(path), `${file} links ${target}`).toBe(true);
      }
    }
  });
});
