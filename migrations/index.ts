/**
 * Every migration, in order. Imported statically (not discovered from the file
 * system) so migrations work the same under tsx, vitest and any bundler.
 */
import type { Knex } from 'knex';
import * as initial from './20261127000001_initial';
import * as runQueue from './20261127000002_run_queue';

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export const migrations: Migration[] = [
  { name: '20261127000001_initial', ...initial },
  { name: '20261127000002_run_queue', ...runQueue },
];
