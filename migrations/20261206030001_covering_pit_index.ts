/**
 * The point-in-time index (view_id, entity_key, event_time) also carries run_seq, so the
 * view-scope checks (compound_unique on entity key + event time, no_gaps) read only the
 * index: they filter each entry by its run (visible runs only) and group / LAG in the
 * index's order. Without run_seq each of the view's index entries costs a lookup of its
 * table row, which made both checks scale with the table rather than with the index
 * (1M rows: 8.9 s and 16.8 s on SQLite). Point-in-time reads keep using the same index
 * by the same name: the added column is past their key prefix.
 *
 * SQLite has no INCLUDE: run_seq is a fourth key column. PostgreSQL keeps the key and
 * INCLUDEs run_seq; the feature table is partitioned (20261205060001), so each
 * partition's index is rebuilt under its own name and the parent's index attaches them.
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';
import { FEATURE_PARTITIONS } from './20261205060001_partition_feature_rows';

const F = T.featureRows;
const KEY = 'view_id, entity_key, event_time';
const isPg = (knex: Knex) => knex.client.config.client === 'pg';
const partition = (i: number) => `${F}_p${String(i).padStart(2, '0')}`;

async function rebuild(knex: Knex, covering: boolean): Promise<void> {
  // Dropping the parent's index drops the partitions' indexes attached to it.
  await knex.raw('DROP INDEX feature_rows_pit');
  if (!isPg(knex)) {
    await knex.raw(`CREATE INDEX feature_rows_pit ON ${F} (${KEY}${covering ? ', run_seq' : ''})`);
    return;
  }
  const include = covering ? ' INCLUDE (run_seq)' : '';
  for (let i = 0; i < FEATURE_PARTITIONS; i++) {
    await knex.raw(`CREATE INDEX ${partition(i)}_pit ON ${partition(i)} (${KEY})${include}`);
  }
  await knex.raw(`CREATE INDEX feature_rows_pit ON ${F} (${KEY})${include}`);
}

export async function up(knex: Knex): Promise<void> {
  await rebuild(knex, true);
}

export async function down(knex: Knex): Promise<void> {
  await rebuild(knex, false);
}
