/**
 * Keyset pages of a run's rejected rows (`run { rejects(after:) / rejects(last:, before:) }`)
 * continue from the last row shown by (raw batch, row number, id), so a deep page is an
 * index seek, not an OFFSET walk over every row before it (900,000 rows: 3–4 s). The id
 * ends the key because (raw batch, row number) need not be unique (records pushed
 * without a raw batch); SQLite's index entries already end with it (the rowid), PostgreSQL's
 * need it named. It replaces the (run_id, raw_batch_id, row_number) index, a prefix of this one.
 * Rows with no raw batch are paged by (row number, id) on a partial index of their own:
 * after `raw_batch_id IS NULL` PostgreSQL cannot take the order of the columns that follow
 * from the main index, and would sort them.
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable(T.rejectedRows, (t) => {
    t.index(['run_id', 'raw_batch_id', 'row_number', 'id'], 'rejected_rows_keyset');
  });
  await knex.schema.alterTable(T.rejectedRows, (t) => {
    t.dropIndex(['run_id', 'raw_batch_id', 'row_number']);
  });
  await knex.raw(
    `CREATE INDEX rejected_rows_unbatched ON ?? (run_id, row_number, id) WHERE raw_batch_id IS NULL`,
    [T.rejectedRows],
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX rejected_rows_unbatched');
  await knex.schema.alterTable(T.rejectedRows, (t) => {
    t.index(['run_id', 'raw_batch_id', 'row_number']);
  });
  await knex.schema.alterTable(T.rejectedRows, (t) => {
    t.dropIndex(['run_id', 'raw_batch_id', 'row_number', 'id'], 'rejected_rows_keyset');
  });
}
