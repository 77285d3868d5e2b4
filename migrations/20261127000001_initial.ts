/**
 * The initial store. Times are BIGINT epoch milliseconds and JSON is TEXT on both
 * engines (see src/store/dialect.ts). Feature rows are append-only; their
 * visibility comes from their run's committed_at / invalidated_at (bitemporal).
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable(T.contractVersions, (t) => {
    t.increments('id').primary();
    t.string('name', 63).notNullable();
    t.string('version', 64).notNullable();
    t.integer('major').notNullable();
    t.integer('minor').notNullable();
    t.integer('patch').notNullable();
    t.string('hash', 64).notNullable();
    t.string('owner', 200).notNullable();
    t.text('yaml').notNullable();
    t.text('spec').notNullable();
    t.bigInteger('created_at').notNullable();
    t.string('created_by', 200).notNullable();
    t.unique(['name', 'version']);
    t.index(['name', 'major']);
  });

  await knex.schema.createTable(T.promotions, (t) => {
    t.increments('id').primary();
    t.string('contract_name', 63).notNullable();
    t.string('version', 64).notNullable();
    t.string('environment', 16).notNullable();
    t.string('from_environment', 16);
    // 'active' makes the version the one in use in the environment; 'retired' withdraws it.
    t.string('state', 16).notNullable().defaultTo('active');
    t.bigInteger('created_at').notNullable();
    t.string('created_by', 200).notNullable();
    t.text('reason');
    t.foreign(['contract_name', 'version']).references(['name', 'version']).inTable(T.contractVersions);
    t.index(['environment', 'contract_name', 'created_at']);
  });

  await knex.schema.createTable(T.rawBatches, (t) => {
    t.string('id', 40).primary();
    t.string('contract_name', 63).notNullable();
    t.string('sha256', 64).notNullable();
    t.string('source_type', 32).notNullable();
    t.text('source_uri');
    t.bigInteger('size_bytes').notNullable();
    t.integer('row_count');
    t.text('storage_path').notNullable();
    t.text('positions');
    t.bigInteger('received_at').notNullable();
    t.unique(['contract_name', 'sha256']);
  });

  await knex.schema.createTable(T.runs, (t) => {
    t.string('id', 40).primary();
    t.string('contract_name', 63).notNullable();
    t.string('contract_version', 64).notNullable();
    t.integer('contract_major').notNullable();
    t.string('contract_hash', 64).notNullable();
    t.string('environment', 16).notNullable();
    t.string('trigger', 16).notNullable();
    t.string('status', 16).notNullable();
    t.string('parent_run_id', 40).references('id').inTable(T.runs);
    t.integer('attempt').notNullable().defaultTo(1);
    t.integer('rows_read').notNullable().defaultTo(0);
    t.integer('rows_valid').notNullable().defaultTo(0);
    t.integer('rows_rejected').notNullable().defaultTo(0);
    t.integer('rows_filtered').notNullable().defaultTo(0);
    t.integer('rows_written').notNullable().defaultTo(0);
    t.string('output_digest', 64);
    t.text('validation');
    t.text('error');
    t.string('code_version', 64).notNullable();
    t.string('created_by', 200).notNullable();
    t.bigInteger('queued_at').notNullable();
    t.bigInteger('started_at');
    t.bigInteger('finished_at');
    // System time: the row set of this run is visible for committed_at <= K < invalidated_at.
    t.bigInteger('committed_at');
    t.bigInteger('invalidated_at');
    t.foreign(['contract_name', 'contract_version'])
      .references(['name', 'version'])
      .inTable(T.contractVersions);
    t.index(['contract_name', 'environment', 'queued_at']);
    t.index(['status']);
  });

  await knex.schema.createTable(T.runRawBatches, (t) => {
    t.string('run_id', 40).notNullable().references('id').inTable(T.runs);
    t.string('raw_batch_id', 40).notNullable().references('id').inTable(T.rawBatches);
    t.integer('ordinal').notNullable();
    t.primary(['run_id', 'raw_batch_id']);
    t.index(['raw_batch_id']);
  });

  await knex.schema.createTable(T.featureRows, (t) => {
    t.bigIncrements('id').primary();
    t.string('run_id', 40).notNullable().references('id').inTable(T.runs);
    t.string('environment', 16).notNullable();
    t.string('contract_name', 63).notNullable();
    t.integer('contract_major').notNullable();
    t.text('entity_key').notNullable();
    t.bigInteger('event_time').notNullable();
    t.text('feature_values').notNullable();
    // The point-in-time read: per entity, greatest event time <= asOf.
    t.index(
      ['environment', 'contract_name', 'contract_major', 'entity_key', 'event_time'],
      'feature_rows_pit',
    );
    t.index(['run_id']);
  });

  await knex.schema.createTable(T.rejectedRows, (t) => {
    t.bigIncrements('id').primary();
    t.string('run_id', 40).notNullable().references('id').inTable(T.runs);
    t.string('raw_batch_id', 40).references('id').inTable(T.rawBatches);
    t.integer('row_number').notNullable();
    t.text('raw').notNullable();
    t.text('reasons').notNullable();
    t.index(['run_id', 'row_number']);
  });

  await knex.schema.createTable(T.lineageEdges, (t) => {
    t.bigIncrements('id').primary();
    t.string('run_id', 40).notNullable().references('id').inTable(T.runs);
    t.string('from_kind', 24).notNullable();
    t.string('from_id', 200).notNullable();
    t.string('to_kind', 24).notNullable();
    t.string('to_id', 200).notNullable();
    t.text('attributes');
    t.bigInteger('created_at').notNullable();
    t.index(['run_id']);
    t.index(['from_kind', 'from_id']);
    t.index(['to_kind', 'to_id']);
  });

  await knex.schema.createTable(T.auditLog, (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('at').notNullable();
    t.string('actor', 200).notNullable();
    t.string('action', 32).notNullable();
    t.string('target_kind', 24).notNullable();
    t.string('target_id', 200).notNullable();
    t.string('environment', 16);
    t.text('before');
    t.text('after');
    t.text('details');
    t.index(['target_kind', 'target_id']);
    t.index(['at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    T.auditLog,
    T.lineageEdges,
    T.rejectedRows,
    T.featureRows,
    T.runRawBatches,
    T.runs,
    T.rawBatches,
    T.promotions,
    T.contractVersions,
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
