/** `tidemark migrate`: bring the database schema up to date (serve does it too). */
import { Command } from 'commander';
import { command, withRuntime } from './run-command';
import { migrationStatus } from '../store/migrate';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Apply pending database migrations and print the migration status')
    .action(
      command(async () => {
        const status = await withRuntime((rt) => migrationStatus(rt.store.db));
        for (const m of status.applied) process.stdout.write(`applied  ${m}\n`);
        for (const m of status.pending) process.stdout.write(`pending  ${m}\n`);
      }),
    );
}
