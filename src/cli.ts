/** The `tidemark` command. Every subcommand has --help. */
import { Command } from 'commander';
import { serveCommand } from './cli/serve.command';
import { migrateCommand } from './cli/migrate.command';
import { contractsCommand } from './cli/contracts.command';
import { runCommands } from './cli/runs.command';
import { featuresCommand } from './cli/features.command';
import { auditCommand } from './cli/audit.command';
import { keysCommand } from './cli/keys.command';
import { packageVersion } from './observability/code-version';

export function buildProgram(): Command {
  const program = new Command('tidemark')
    .description('Tidemark: a feature store driven by data contracts, served over GraphQL')
    .version(packageVersion())
    .showHelpAfterError()
    .addCommand(serveCommand())
    .addCommand(migrateCommand())
    .addCommand(contractsCommand())
    .addCommand(featuresCommand())
    .addCommand(auditCommand())
    .addCommand(keysCommand());
  for (const c of runCommands()) program.addCommand(c);
  return program;
}

await buildProgram().parseAsync(process.argv);
