/** The `tidemark` command. Every subcommand has --help. */
import { buildProgram } from './cli/program';

await buildProgram().parseAsync(process.argv);
