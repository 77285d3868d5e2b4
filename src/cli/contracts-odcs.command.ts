/** `tidemark contracts export` and `tidemark contracts import`: ODCS v3.1.0 interchange. */
import { readFile, writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { loadConfig } from '../config';
import { InputError, formatIssue } from '../errors';
import { odcsStatus, toOdcsYaml } from '../contracts/odcs/export';
import { importOdcs } from '../contracts/odcs/import';
import { command, withRuntime } from './run-command';

export function addOdcsCommands(cmd: Command): void {
  cmd
    .command('export')
    .description(
      'Write a registered contract version as an Open Data Contract Standard (ODCS v3.1.0) document',
    )
    .argument('<name>', 'contract name')
    .option(
      '--version <version>',
      'exact version or major (default: the newest active in the default environment)',
    )
    .addOption(new Option('--format <format>', 'document format').choices(['odcs']).makeOptionMandatory())
    .option('--output <file>', 'write the document to this file instead of stdout')
    .action(
      command(async (name: string, opts: { version?: string; output?: string }) => {
        const config = loadConfig();
        const text = await withRuntime(async (rt) => {
          const found = await rt.registry.resolve(name, opts.version, config.defaultEnvironment);
          const active = await rt.registry.activeVersions({ name });
          const envs = active.filter((a) => a.version === found.version).map((a) => a.environment);
          return toOdcsYaml(found.contract, { status: odcsStatus(envs) });
        }, config);
        if (opts.output) await writeFile(opts.output, text);
        else process.stdout.write(text);
      }),
    );

  cmd
    .command('import')
    .description(
      'Turn an ODCS document into a Tidemark contract; prints, line by line, what it could not map',
    )
    .argument('<file>', 'ODCS document (YAML)')
    .option('--out <file>', 'write the contract to this file (it must not exist) instead of stdout')
    .option('--name <name>', 'contract name (default: the document name)')
    .option('--owner <owner>', 'owner (default: team.name)')
    .option('--key <columns>', 'entity key columns, comma-separated (default: the primaryKey properties)')
    .option('--event-time <column>', 'event time column (default: the one date or timestamp property)')
    .option('--table <name>', 'the schema object to import when the document has several')
    .action(
      command(
        async (
          file: string,
          opts: {
            out?: string;
            name?: string;
            owner?: string;
            key?: string;
            eventTime?: string;
            table?: string;
          },
        ) => {
          const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
            throw new InputError(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
          });
          const result = importOdcs(text, {
            file,
            out: opts.out,
            name: opts.name,
            owner: opts.owner,
            key: opts.key?.split(',').map((k) => k.trim()),
            eventTime: opts.eventTime,
            table: opts.table,
          });
          if (opts.out) {
            await writeFile(opts.out, result.yaml, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
              if (e.code === 'EEXIST') throw new InputError(`${opts.out} exists; choose another --out`);
              throw e;
            });
          } else process.stdout.write(result.yaml);
          // The contract goes to stdout (or --out); what was left behind goes to stderr, always.
          for (const issue of result.lost) process.stderr.write(`not imported  ${formatIssue(issue)}\n`);
          for (const note of result.notes) process.stderr.write(`note  ${note}\n`);
          const c = result.contract;
          process.stderr.write(
            `imported  ${c.name}@${c.version}${opts.out ? ` → ${opts.out}` : ''}  (${c.schema.length} columns, ${c.expectations.length} expectations, ${c.features.length} features; ${result.lost.length} item(s) not imported)\n`,
          );
        },
      ),
    );
}
