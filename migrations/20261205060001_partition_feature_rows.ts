/**
 * On PostgreSQL the feature table becomes a partitioned table, HASH(view_id) over
 * FEATURE_PARTITIONS partitions, so a point-in-time read (which always names its view)
 * is planned against one partition and walks that partition's own (view_id, entity_key,
 * event_time) index: ten million rows of a store no longer make every view's index as
 * deep as all of them together.
 *
 * HASH rather than LIST (a partition per view): a view is created inside the commit of
 * its first run, and CREATE TABLE … PARTITION OF takes an ACCESS EXCLUSIVE lock on the
 * parent, which would stall every read of every view and invite deadlocks with the
 * transaction that holds it. A fixed modulus needs no DDL after this migration; a
 * partition holds the views that hash to it, and a read still touches only one.
 *
 * A partitioned table's keys must include the partition key: the primary key is
 * (view_id, id), ids still come from one sequence. Rows are copied in (view, entity,
 * event time) order, so a view's entity histories sit together on disk, counted against
 * the old table before it is dropped, then indexed (a partition's index is attached to
 * the parent's of the same columns). `down` converts back to one table the same way.
 * SQLite keeps one table: both directions do nothing there.
 */
import type { Knex } from 'knex';
import { T } from '../src/store/tables';

const F = T.featureRows;
const OLD = 'feature_rows_old';
/** Fixed for the life of the table: changing it means copying every row again. */
export const FEATURE_PARTITIONS = 16;

const isPg = (knex: Knex) => knex.client.config.client === 'pg';
const partition = (i: number) => `${F}_p${String(i).padStart(2, '0')}`;

export async function up(knex: Knex): Promise<void> {
  if (!isPg(knex)) return;
  await setAside(knex);
  await knex.raw(`CREATE TABLE ${F} (
      id bigserial NOT NULL,
      run_seq integer NOT NULL REFERENCES ${T.runs} (seq),
      view_id integer NOT NULL REFERENCES ${T.featureViews} (id),
      entity_key text NOT NULL,
      event_time bigint NOT NULL,
      feature_values text NOT NULL,
      PRIMARY KEY (view_id, id)
    ) PARTITION BY HASH (view_id)`);
  for (let i = 0; i < FEATURE_PARTITIONS; i++) {
    await knex.raw(
      `CREATE TABLE ${partition(i)} PARTITION OF ${F} FOR VALUES WITH (MODULUS ${FEATURE_PARTITIONS}, REMAINDER ${i})`,
    );
  }
  await copyAndFinish(knex);
  for (let i = 0; i < FEATURE_PARTITIONS; i++) {
    // Named per partition so a plan says which partition it walked; the parent's
    // indexes below attach these instead of building their own.
    await knex.raw(`CREATE INDEX ${partition(i)}_pit ON ${partition(i)} (view_id, entity_key, event_time)`);
    await knex.raw(`CREATE INDEX ${partition(i)}_run_seq ON ${partition(i)} (run_seq)`);
  }
  // The point-in-time read: per entity of a view, greatest event time <= asOf.
  await knex.raw(`CREATE INDEX feature_rows_pit ON ${F} (view_id, entity_key, event_time)`);
  await knex.raw(`CREATE INDEX feature_rows_run_seq_index ON ${F} (run_seq)`);
}

export async function down(knex: Knex): Promise<void> {
  if (!isPg(knex)) return;
  await setAside(knex);
  await knex.schema.createTable(F, (t) => {
    t.bigIncrements('id').primary();
    t.integer('run_seq').notNullable().references('seq').inTable(T.runs);
    t.integer('view_id').notNullable().references('id').inTable(T.featureViews);
    t.text('entity_key').notNullable();
    t.bigInteger('event_time').notNullable();
    t.text('feature_values').notNullable();
  });
  await copyAndFinish(knex);
  await knex.schema.alterTable(F, (t) => {
    t.index(['view_id', 'entity_key', 'event_time'], 'feature_rows_pit');
    t.index(['run_seq'], 'feature_rows_run_seq_index');
  });
}

/**
 * Renames the feature table to OLD with its indexes dropped (a partitioned table's drop
 * takes its partitions' with them) and its key and id sequence renamed, so the new table
 * can take the names.
 */
async function setAside(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX feature_rows_pit');
  await knex.raw('DROP INDEX feature_rows_run_seq_index');
  await knex.raw(`ALTER TABLE ${F} RENAME TO ${OLD}`);
  await knex.raw(`ALTER TABLE ${OLD} RENAME CONSTRAINT ${F}_pkey TO ${OLD}_pkey`);
  await knex.raw(`ALTER SEQUENCE ${F}_id_seq RENAME TO ${OLD}_id_seq`);
  // The old partitions keep their names until OLD is dropped: move them aside too.
  const parts = await knex.raw(
    `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = '${OLD}'::regclass`,
  );
  for (const { relname } of parts.rows as Array<{ relname: string }>) {
    await knex.raw(`ALTER TABLE ${relname} RENAME TO ${OLD}_${relname.slice(F.length + 1)}`);
  }
}

/** Copies every row, checks the count, drops OLD and moves the id sequence past the copied ids. */
async function copyAndFinish(knex: Knex): Promise<void> {
  await knex.raw(`INSERT INTO ${F} (id, run_seq, view_id, entity_key, event_time, feature_values)
    SELECT id, run_seq, view_id, entity_key, event_time, feature_values FROM ${OLD}
    ORDER BY view_id, entity_key, event_time, id`);
  const count = async (table: string) => Number((await knex(table).count({ n: '*' }))[0]!.n);
  const [before, after] = [await count(OLD), await count(F)];
  if (before !== after) throw new Error(`${F}: ${after} of ${before} rows copied`);
  await knex.schema.dropTable(OLD);
  await knex.raw(
    `SELECT setval(pg_get_serial_sequence('${F}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM ${F}`,
  );
}
