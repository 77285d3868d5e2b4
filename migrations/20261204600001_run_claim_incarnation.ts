/**
 * Which incarnation of its process holds a running run (src/scheduling/incarnation.ts):
 * the holder's boot id and start time. With the owner and pid of `claimed_by` it tells
 * a live holder from a later process that got the same pid, so a run whose holder is
 * alive on the sweeper's host is never recovered as orphaned because its lease lapsed.
 * Claims made before this migration have none and keep the lease's rule.
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable(T.runs, (t) => {
    t.string('claimed_incarnation', 100);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable(T.runs, (t) => {
    t.dropColumn('claimed_incarnation');
  });
}
