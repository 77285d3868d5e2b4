/** `tidemark contracts …`: lint, apply, list and check contracts. */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { loadConfig, parseEnvironment } from '../config';
import { lintContractFiles, loadContractFiles } from '../contracts/load';
import { ContractValidationError } from '../errors';
import { runContractsCheck } from '../contracts/check';
import { renderJson, renderMarkdown } from '../contracts/check-report';
import { toJson } from './json';
import { contractTable } from './format';
import { command, withRuntime } from './run-command';
import type { ApplyOutcome } from '../contracts/registry';
import { contractsPlanCommand } from './contracts-plan.command';
import { addOdcsCommands } from './contracts-odcs.command';

export function contractsCommand(): Command {
  const cmd = new Command('contracts').description('Lint, register, list and review data contracts');

  cmd
    .command('lint')
    .description('Check contract files against the meta-schema and the semantic rules (no database needed)')
    .argument('[paths...]', 'contract files or directories (default: the contracts directory)')
    .action(
      command(async (paths: string[]) => {
        const { parsed, issues } = await lintContractFiles(
          paths.length ? paths : [loadConfig().contractsDir],
        );
        for (const p of parsed)
          process.stdout.write(`ok  ${p.file}  ${p.contract.name}@${p.contract.version}\n`);
        if (issues.length > 0) throw new ContractValidationError(issues);
      }),
    );

  cmd
    .command('apply')
    .description('Register contracts, all or nothing; a registered (name, version) never changes')
    .argument('[paths...]', 'contract files or directories (default: the contracts directory)')
    .action(
      command(async (paths: string[]) => {
        const config = loadConfig();
        const parsed = await loadContractFiles(paths.length ? paths : [config.contractsDir]);
        const outcomes = await withRuntime((rt) => rt.contracts.apply(parsed, config.operator), config);
        for (const o of outcomes) process.stdout.write(describeOutcome(o));
      }),
    );

  cmd
    .command('promote')
    .description('Move a version up one environment (dev → test → prod) when the promotion policy holds')
    .argument('<name>', 'contract name')
    .argument('<version>', 'exact version')
    .requiredOption('--to <environment>', 'target environment: test or prod')
    .action(
      command(async (name: string, version: string, opts: { to: string }) => {
        const config = loadConfig();
        const r = await withRuntime(
          (rt) => rt.contracts.promote(name, version, opts.to, config.operator),
          config,
        );
        process.stdout.write(
          `promoted  ${name}@${version}  ${r.from} → ${r.to}${r.replaced ? `  (replaces ${r.replaced})` : ''}\n`,
        );
      }),
    );

  cmd
    .command('list')
    .description('List registered contract versions')
    .option('--env <environment>', 'only versions active in this environment')
    .option('--json', 'print JSON')
    .action(
      command(async (opts: { env?: string; json?: boolean }) => {
        const env = opts.env ? parseEnvironment(opts.env, '--env') : undefined;
        const rows = await withRuntime(async (rt) => {
          const versions = await rt.registry.list(env);
          const active = await rt.registry.activeVersions();
          return versions.map((v) => ({
            name: v.name,
            version: v.version,
            owner: v.owner,
            hash: v.hash.slice(0, 12),
            active: active
              .filter((a) => a.name === v.name && a.version === v.version)
              .map((a) => a.environment),
          }));
        });
        if (opts.json) process.stdout.write(toJson(rows));
        else process.stdout.write(contractTable(rows));
      }),
    );

  cmd
    .command('check')
    .description(
      'For pull requests: lint, diff each changed contract against a git ref, and check the version bumps',
    )
    .requiredOption('--base <ref>', 'git ref to compare against (e.g. origin/main)')
    .option('--dir <path>', 'contracts directory inside the repository', 'contracts')
    .option('--repo <path>', 'repository root', '.')
    .addOption(
      new Option('--format <format>', 'report format').choices(['markdown', 'json']).default('markdown'),
    )
    .option('--output <file>', 'also write the report to this file')
    .action(
      command(async (opts: { base: string; dir: string; repo: string; format: string; output?: string }) => {
        const result = await runContractsCheck({
          repoDir: opts.repo,
          base: opts.base,
          contractsDir: opts.dir,
        });
        const report = opts.format === 'json' ? renderJson(result) : renderMarkdown(result);
        process.stdout.write(report.endsWith('\n') ? report : report + '\n');
        if (opts.output) await writeFile(opts.output, report);
        return result.ok ? 0 : 1;
      }),
    );

  cmd.addCommand(contractsPlanCommand());

  addOdcsCommands(cmd);
  return cmd;
}

function describeOutcome(o: ApplyOutcome): string {
  const head = `${o.status === 'registered' ? 'registered' : 'unchanged '}  ${o.name}@${o.version}`;
  const c = o.compatibility;
  const vs =
    c.against && o.status === 'registered'
      ? `  (vs ${c.against}: ${c.changes.length} change(s), ${c.verdict})`
      : '';
  return head + vs + '\n';
}
