/**
 * A transaction that holds its connection until released: on SQLite the pool's only
 * connection and (BEGIN IMMEDIATE) the write lock, as a run's commit holds them. Tests
 * of reads that must go beside the writer run their reads while it is held.
 */
import type { Knex } from 'knex';

export async function holdTransaction(db: Knex): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let inside!: () => void;
  const entered = new Promise<void>((r) => (inside = r));
  const tx = db.transaction(async (trx) => {
    await trx.raw('select 1');
    inside();
    await held;
  });
  await Promise.race([entered, tx]);
  return {
    release: async () => {
      release();
      await tx;
    },
  };
}
