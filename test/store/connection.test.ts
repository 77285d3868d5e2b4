/**
 * A closed store stays closed: neither the lease connection nor the read statements'
 * connection, each opened on first use, is opened again by a caller that comes late
 * (a health check, a gauge, a heartbeat), so nothing touches the database's files once
 * the store has closed.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/store/connection';
import { Store } from '../../src/store/store';
import { removeDir } from '../support/remove-dir';

describe('database handle (sqlite file)', () => {
  let dir = '';
  afterEach(() => removeDir(dir));

  it('refuses a late lease query after close instead of reopening the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidemark-connection-'));
    const db = openDb({ engine: 'sqlite', filename: join(dir, 'store.sqlite') });
    await db.knex.raw('CREATE TABLE t (x integer)');
    await db.close();
    const files = readdirSync(dir).sort();
    await expect(db.leases().raw('SELECT 1')).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(files);
  });

  it('refuses a late read after the store closed instead of reopening the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidemark-connection-'));
    const db = openDb({ engine: 'sqlite', filename: join(dir, 'store.sqlite') });
    await db.knex.raw('CREATE TABLE t (x integer)');
    const store = new Store(db);
    await store.features.ping(); // opens the read statements' own connection
    await store.close();
    const files = readdirSync(dir).sort();
    await expect(store.features.ping()).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(files);
  });
});
