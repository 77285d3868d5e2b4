/**
 * What was acquired of each landing file, per contract: contiguous byte ranges
 * [start_offset, end_offset) of the file as it was read, each kept as a raw batch, with
 * the sha256 of the file's first end_offset bytes. A file that grows is read from the
 * end of its last segment on (only the appended lines); one whose ingested bytes
 * changed is refused (src/pipeline/landing-segments.ts). The primary key makes two
 * readers of the same growth record one segment, never two overlapping ones.
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable(T.landingSegments, (t) => {
    t.string('contract_name', 63).notNullable();
    // Relative to the landing directory, '/'-separated: the data directory may move.
    t.string('path', 1024).notNullable();
    t.bigInteger('start_offset').notNullable();
    t.bigInteger('end_offset').notNullable();
    t.string('prefix_sha256', 64).notNullable();
    t.string('raw_batch_id', 40).notNullable().references('id').inTable(T.rawBatches);
    t.bigInteger('recorded_at').notNullable();
    t.primary(['contract_name', 'path', 'start_offset']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable(T.landingSegments);
}
