/**
 * Every option of every subcommand reaches that subcommand: none is swallowed by a
 * program-level option of the same name (`features … --version 1.0.0` once printed
 * the program version). The walk covers commands added later without editing this.
 */
import { describe, expect, it } from 'vitest';
import type { Command, Option } from 'commander';
import { buildProgram, walkCommands } from '../../src/cli/program';

interface Leaf {
  path: string[];
  cmd: Command;
}

function leaves(): Leaf[] {
  return walkCommands(buildProgram()).filter(({ cmd }) => cmd.commands.length === 0);
}

/** Values for options whose parser checks more than choices. */
const SAMPLES: Record<string, string> = { '--status': 'rolled_back', '--limit': '5', '--runs': '3' };

/** A value the option accepts: a sample, its first choice, or a plain word. */
function valueFor(o: Option): string[] {
  if (!o.required && !o.optional) return [];
  return [SAMPLES[o.long!] ?? o.argChoices?.[0] ?? 'v1'];
}

/** The minimal argv a command accepts: its required arguments and mandatory options. */
function baseArgs(cmd: Command, except: Option): string[] {
  const args = cmd.registeredArguments.filter((a) => a.required).map(() => 'x');
  for (const o of cmd.options) {
    if (o.mandatory && o !== except) args.push(o.long!, ...valueFor(o));
  }
  return args;
}

/** Parses argv with every action replaced by a capture; returns what the leaf received. */
async function parse(argv: string[], target: string[]) {
  const program = buildProgram();
  let captured: Record<string, unknown> | null = null;
  const out: string[] = [];
  for (const { path, cmd } of [{ path: [], cmd: program }, ...walkCommands(program)]) {
    cmd.exitOverride().configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => out.push(s) });
    if (path.join(' ') === target.join(' ')) cmd.action(() => void (captured = cmd.opts()));
  }
  let error: string | null = null;
  await program.parseAsync(['node', 'tidemark', ...argv]).catch((e: Error) => (error = e.message));
  return { captured: captured as Record<string, unknown> | null, out: out.join(''), error };
}

describe('CLI options', () => {
  const all = leaves();

  it('finds the commands (a walk over nothing proves nothing)', () => {
    const names = all.map((l) => l.path.join(' '));
    expect(names).toEqual(expect.arrayContaining(['features', 'run', 'contracts lint', 'keys create']));
  });

  for (const { path, cmd } of all) {
    for (const o of cmd.options) {
      const flag = o.long ?? o.short!;
      it(`${path.join(' ')} ${flag} reaches the subcommand`, async () => {
        const argv = [...path, ...baseArgs(cmd, o), flag, ...valueFor(o)];
        const r = await parse(argv, path);
        expect(r.error, r.out).toBeNull();
        const expected = o.negate ? false : valueFor(o).length ? expect.anything() : true;
        expect(r.captured?.[o.attributeName()]).toEqual(expected);
      });
    }
  }

  it('features --version 1.0.0 is the contract version, not the program version', async () => {
    const r = await parse(['features', 'c', '--entity', 'DEU', '--version', '1.0.0'], ['features']);
    expect(r.captured?.version).toBe('1.0.0');
    expect(r.out).toBe('');
  });

  it('-V and --version before a subcommand still print the program version', async () => {
    for (const flag of ['-V', '--version']) {
      const r = await parse([flag], ['none']);
      expect(r.out).toMatch(/^\d+\.\d+\.\d+\n$/);
    }
  });
});
