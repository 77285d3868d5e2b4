/**
 * Stream offsets: the committed broker position per (contract, environment, source),
 * moved in the same transaction as a stream micro-batch's rows (exactly once). The
 * positions a stream raw batch covers live in raw_batches.positions (initial migration).
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';
import { STREAM_OFFSETS } from '../src/store/stream-offset.repository';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable(STREAM_OFFSETS, (t) => {
    t.string('contract_name', 63).notNullable();
    t.string('environment', 16).notNullable();
    // `<broker>:<subject or stream key>`
    t.string('source', 300).notNullable();
    // A NATS stream sequence or a Redis entry id, compared numerically in code.
    t.string('position', 64).notNullable();
    t.text('stream');
    t.text('consumer');
    t.string('run_id', 40).references('id').inTable(T.runs);
    t.string('raw_batch_id', 40).references('id').inTable(T.rawBatches);
    t.bigInteger('updated_at').notNullable();
    t.primary(['contract_name', 'environment', 'source']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable(STREAM_OFFSETS);
}
