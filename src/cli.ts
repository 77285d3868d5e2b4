/** The `tidemark` command. Every subcommand has --help. */
import { buildProgram } from './cli/program';

// `tidemark audit | head`: a reader that stops early is no error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

await buildProgram().parseAsync(process.argv);
