/**
 * `tidemark vacuum`: rewrite the embedded SQLite store with the current page size and
 * no free pages (sqlite-vacuum.ts). For a store made before new stores got 32 KiB
 * pages; it needs the store to itself. PostgreSQL has autovacuum and its own page size.
 */
import { Command } from 'commander';
import { InputError } from '../errors';
import { loadConfig } from '../config';
import { vacuumSqlite } from '../store/sqlite-vacuum';
import { command } from './run-command';
import { toJson } from './json';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export function vacuumCommand(): Command {
  return new Command('vacuum')
    .description(
      'Rewrite the embedded SQLite store with 32 KiB pages and no free space (stop the server first)',
    )
    .option('--json', 'print JSON')
    .action(
      command(async (opts: { json?: boolean }) => {
        const config = loadConfig();
        if (config.databaseUrl)
          throw new InputError(
            'vacuum rewrites the embedded SQLite store; this deployment uses PostgreSQL (DATABASE_URL), whose autovacuum keeps its tables',
          );
        const r = await vacuumSqlite(config.sqliteFile, {
          onStart: (b) =>
            process.stderr.write(
              `vacuuming ${config.sqliteFile} (${mb(b.bytes)} in ${b.pageSize}-byte pages) …\n`,
            ),
        });
        if (opts.json) {
          process.stdout.write(toJson(r));
          return;
        }
        process.stdout.write(
          `vacuumed ${r.file} in ${(r.ms / 1000).toFixed(1)} s\n` +
            `page size  ${r.pageSizeBefore} → ${r.pageSizeAfter} bytes\n` +
            `size       ${mb(r.bytesBefore)} → ${mb(r.bytesAfter)}\n`,
        );
      }),
    );
}
