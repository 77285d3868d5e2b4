/** The `tidemark` command tree. Every subcommand has --help. */
import { Command } from 'commander';
import { serveCommand } from './serve.command';
import { migrateCommand } from './migrate.command';
import { contractsCommand } from './contracts.command';
import { runCommands } from './runs.command';
import { featuresCommand } from './features.command';
import { trainingSetCommand } from './training-set.command';
import { auditCommand } from './audit.command';
import { keysCommand } from './keys.command';
import { schemaCommand } from './schema.command';
import { vacuumCommand } from './vacuum.command';
import { packageVersion } from '../observability/code-version';

export function buildProgram(): Command {
  const program = new Command('tidemark')
    .description('Tidemark: a feature store driven by data contracts, served over GraphQL')
    .version(packageVersion(), '-V, --version', 'print the program version')
    // Program options count only before the subcommand, so a subcommand's own option
    // (`features … --version 1.0.0`) is never swallowed by the program's --version.
    .enablePositionalOptions()
    .showHelpAfterError()
    .addCommand(serveCommand())
    .addCommand(migrateCommand())
    .addCommand(contractsCommand())
    .addCommand(featuresCommand())
    .addCommand(trainingSetCommand())
    .addCommand(auditCommand())
    .addCommand(keysCommand())
    .addCommand(schemaCommand())
    .addCommand(vacuumCommand());
  for (const c of runCommands()) program.addCommand(c);
  return program;
}

/** Every command below the program, depth first, with its path of names. */
export function walkCommands(root: Command, path: string[] = []): Array<{ path: string[]; cmd: Command }> {
  return root.commands.flatMap((c) => {
    const here = [...path, c.name()];
    return [{ path: here, cmd: c }, ...walkCommands(c, here)];
  });
}
