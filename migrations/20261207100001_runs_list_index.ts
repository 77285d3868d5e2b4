/**
 * The runs list is newest first: ORDER BY queued_at DESC, id DESC, in keyset pages
 * (src/store/run-list.ts). No index gave that order, so every page of the console's Runs
 * list, and every `runs(...)` query, read and sorted the whole runs table: 44–77 ms for
 * the first page at 10,000 runs on SQLite, about 3× the time for 10× the runs in the
 * bench's growth table (docs/benchmarks.md, case 9). With this index a page reads its
 * rows from the index's end and stops.
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable(T.runs, (t) => {
    t.index(['queued_at', 'id'], 'runs_queued_at_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable(T.runs, (t) => {
    t.dropIndex(['queued_at', 'id'], 'runs_queued_at_id');
  });
}
