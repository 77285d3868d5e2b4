/**
 * The run queue lives in the runs table: queued runs wait in queued_at order per
 * (contract, environment); `not_before` delays retries; a claim records which
 * instance runs it and until when its lease holds, so a run whose instance died is
 * recognised and recovered. `error_kind` tells retryable failures from final ones.
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable(T.runs, (t) => {
    t.bigInteger('not_before');
    t.string('claimed_by', 100);
    t.bigInteger('lease_until');
    t.string('error_kind', 16);
    t.index(['contract_name', 'environment', 'status', 'queued_at'], 'runs_queue');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable(T.runs, (t) => {
    t.dropIndex(['contract_name', 'environment', 'status', 'queued_at'], 'runs_queue');
    t.dropColumn('not_before');
    t.dropColumn('claimed_by');
    t.dropColumn('lease_until');
    t.dropColumn('error_kind');
  });
}
