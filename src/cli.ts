/** The `tidemark` command. Every subcommand has --help. */
import { Command } from 'commander';
import { serveCommand } from './cli/serve.command';
import { migrateCommand } from './cli/migrate.command';
import { contractsCommand } from './cli/contracts.command';
import { packageVersion } from './observability/code-version';

export function buildProgram(): Command {
  return new Command('tidemark')
    .description('Tidemark: a feature store driven by data contracts, served over GraphQL')
    .version(packageVersion())
    .showHelpAfterError()
    .addCommand(serveCommand())
    .addCommand(migrateCommand())
    .addCommand(contractsCommand());
}

await buildProgram().parseAsync(process.argv);
