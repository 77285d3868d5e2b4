/**
 * Which errors mean "the database cannot be reached or is busy; retry later": the
 * errors are provoked for real (pg and knex against a closed port, a server that cuts
 * the connection, one that never answers, a full pool, a locked SQLite file, and on
 * the PostgreSQL leg a query timeout and a terminated backend), not written by hand,
 * so a driver upgrade that changes their shape fails here. Likewise a full disk: SQLite's
 * SQLITE_FULL from a database that cannot grow, Node's ENOSPC from /dev/full, and on the
 * PostgreSQL leg the server's disk_full (SQLSTATE 53100) through pg.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStorageFull, asUnavailable, InputError, StorageFullError, UnavailableError } from '../src/errors';
import { testEngine } from './support/engine';
import { PG_DISK_FULL_MESSAGE, pgDiskFullError, sqliteFullError } from './support/disk-full';

/** A local TCP server doing `onConnection` with each socket; closed after the file. */
async function tcpServer(onConnection: (s: net.Socket) => void): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** What `promise` rejected with; fails the test if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

function pgKnex(port: number, extra: Record<string, unknown> = {}, acquireMs = 5_000): Knex {
  return knex({
    client: 'pg',
    connection: { connectionString: `postgres://nobody@127.0.0.1:${port}/none`, ...extra },
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: acquireMs,
    // knex logs every failed acquire; these failures are the point of the test.
    log: { warn: () => undefined, error: () => undefined },
  });
}

describe('asUnavailable: the database cannot be reached', () => {
  let closedPort: number;
  let silent: Awaited<ReturnType<typeof tcpServer>>;
  let cutting: Awaited<ReturnType<typeof tcpServer>>;
  let dir: string;

  beforeAll(async () => {
    const s = await tcpServer(() => undefined);
    closedPort = s.port;
    s.close();
    silent = await tcpServer(() => undefined); // accepts, never answers
    cutting = await tcpServer((sock) => sock.destroy()); // accepts, then cuts
    dir = mkdtempSync(join(tmpdir(), 'tidemark-errors-'));
  });
  afterAll(() => {
    silent.close();
    cutting.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connection refused (pg client, and through knex) → "the database is unreachable (ECONNREFUSED)"', async () => {
    const client = new pg.Client({ connectionString: `postgres://nobody@127.0.0.1:${closedPort}/none` });
    const direct = await rejection(client.connect());
    const k = pgKnex(closedPort);
    const viaKnex = await rejection(k.raw('select 1'));
    await k.destroy();
    for (const err of [direct, viaKnex]) {
      const u = asUnavailable(err);
      expect(u, err.message).toBeInstanceOf(UnavailableError);
      expect(u!.code).toBe('UNAVAILABLE');
      expect(u!.message).toBe('the database is unreachable (ECONNREFUSED); retry later');
      expect(u!.cause).toBe(err);
    }
  });

  it('connection cut by the server (pg "Connection terminated unexpectedly")', async () => {
    const k = pgKnex(cutting.port);
    const err = await rejection(k.raw('select 1'));
    await k.destroy();
    expect(err.message).toMatch(/Connection terminated unexpectedly$/);
    expect(asUnavailable(err)?.message).toBe(
      'the database is unreachable (connection terminated); retry later',
    );
  });

  it('a server that never answers: pg connect timeout ("timeout expired") and the knex pool timeout', async () => {
    const withConnectTimeout = pgKnex(silent.port, { connectionTimeoutMillis: 200 });
    const connect = await rejection(withConnectTimeout.raw('select 1'));
    await withConnectTimeout.destroy();
    expect(connect.message).toBe('timeout expired');
    expect(asUnavailable(connect)?.message).toBe(
      'the database is unreachable (connect timed out); retry later',
    );

    // The pool gives up first (200 ms); the connect behind it ends later (1 s), so destroy() returns.
    const poolFirst = pgKnex(silent.port, { connectionTimeoutMillis: 1_000 }, 200);
    const acquire = await rejection(poolFirst.raw('select 1'));
    await poolFirst.destroy();
    expect(acquire.name).toBe('KnexTimeoutError');
    expect(asUnavailable(acquire)?.message).toBe(
      'the database is unreachable (no database connection free within the pool timeout); retry later',
    );
  });

  it('SQLite: a file locked by another writer (SQLITE_BUSY) → "the database is busy"', async () => {
    const file = join(dir, 'busy.sqlite');
    const open = () =>
      knex({
        client: 'sqlite3',
        connection: { filename: file },
        useNullAsDefault: true,
        pool: { min: 1, max: 1 },
      });
    const a = open();
    const b = open();
    try {
      await a.raw('CREATE TABLE t (x INTEGER PRIMARY KEY)');
      let busy: Error | null = null;
      await a.transaction(async (tx) => {
        await tx.raw('INSERT INTO t VALUES (1)');
        busy = await rejection(b.raw('INSERT INTO t VALUES (2)'));
      });
      expect((busy as unknown as { code: string }).code).toBe('SQLITE_BUSY');
      expect(asUnavailable(busy)?.message).toBe('the database is busy; retry later');
      // A constraint error on the same file is the caller's problem, not an outage.
      const dup = await rejection(a.raw('INSERT INTO t VALUES (1)'));
      expect((dup as unknown as { code: string }).code).toBe('SQLITE_CONSTRAINT');
      expect(asUnavailable(dup)).toBeNull();
    } finally {
      await a.destroy();
      await b.destroy();
    }
  });

  it('looks through cause and AggregateError (a host name with several addresses)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    expect(asUnavailable(new AggregateError([refused], 'all addresses failed'))?.code).toBe('UNAVAILABLE');
    expect(asUnavailable(new Error('wrapped', { cause: refused }))?.code).toBe('UNAVAILABLE');
  });

  it('everything else is not an outage: bugs, Tidemark errors, driver messages quoted inside SQL', () => {
    expect(asUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBeNull();
    expect(asUnavailable(new InputError('bad'))).toBeNull();
    expect(asUnavailable('ECONNREFUSED')).toBeNull();
    expect(asUnavailable(null)).toBeNull();
    // knex puts the SQL, with its bindings, before " - "; only the driver's words decide.
    expect(
      asUnavailable(
        new Error(
          "insert into t (x) values ('Connection terminated unexpectedly') - value too long for type character varying(5)",
        ),
      ),
    ).toBeNull();
  });
});

describe.runIf(testEngine() === 'postgres')('asUnavailable on PostgreSQL itself', () => {
  const url = process.env.TEST_DATABASE_URL!;
  const open = (extra: Record<string, unknown> = {}) =>
    knex({ client: 'pg', connection: { connectionString: url, ...extra }, pool: { min: 0, max: 1 } });

  it('a query that outlives query_timeout ("Query read timeout")', async () => {
    const k = open({ query_timeout: 100 });
    try {
      const err = await rejection(k.raw('SELECT pg_sleep(2)'));
      expect(err.message).toMatch(/Query read timeout$/);
      expect(asUnavailable(err)?.message).toBe('the database is unreachable (query timed out); retry later');
    } finally {
      await k.destroy();
    }
  });

  it('a backend terminated by the server (57P01), then the dead connection ("Connection terminated")', async () => {
    const victim = open();
    const admin = open();
    try {
      const { rows } = await victim.raw<{ rows: Array<{ pid: number }> }>('SELECT pg_backend_pid() AS pid');
      const sleeping = rejection(victim.raw('SELECT pg_sleep(5)'));
      await new Promise((r) => setTimeout(r, 200));
      await admin.raw('SELECT pg_terminate_backend(?)', [rows[0]!.pid]);
      const terminated = await sleeping;
      expect((terminated as unknown as { code: string }).code).toBe('57P01');
      expect(asUnavailable(terminated)?.message).toMatch(
        /^the database is unreachable \(the server terminated/,
      );
    } finally {
      await victim.destroy();
      await admin.destroy();
    }
  });

  it('SQL errors are not outages (unique violation, division by zero)', async () => {
    const k = open();
    try {
      expect(asUnavailable(await rejection(k.raw('SELECT 1/0')))).toBeNull();
      await k.raw('CREATE TEMP TABLE u (x int PRIMARY KEY)');
      expect(asUnavailable(await rejection(k.raw('INSERT INTO u VALUES (1), (1)')))).toBeNull();
    } finally {
      await k.destroy();
    }
  });
});

describe('asStorageFull: the disk is full', () => {
  it('SQLite cannot grow its file (SQLITE_FULL, through knex) → "disk full: the database has no space left"', async () => {
    const err = await sqliteFullError();
    expect((err as unknown as { code: string }).code).toBe('SQLITE_FULL');
    const full = asStorageFull(err);
    expect(full).toBeInstanceOf(StorageFullError);
    expect(full!.code).toBe('INSUFFICIENT_STORAGE');
    expect(full!.message).toBe(
      'disk full: the database has no space left (SQLITE_FULL); free space on its disk, then retry later',
    );
    expect(full!.cause).toBe(err);
    // Not an outage: a full disk is its own answer, with its own retry schedule.
    expect(asUnavailable(err)).toBeNull();
  });

  it('a file write with no space left (ENOSPC from /dev/full) → "no space left in the data directory"', () => {
    let err: unknown;
    try {
      writeFileSync('/dev/full', 'x');
    } catch (e) {
      err = e;
    }
    expect((err as { code: string }).code).toBe('ENOSPC');
    expect(asStorageFull(err)?.message).toBe(
      'disk full: no space left in the data directory (ENOSPC); free space on its disk, then retry later',
    );
    expect(asStorageFull(new Error('copy failed', { cause: err }))?.code).toBe('INSUFFICIENT_STORAGE');
  });

  it('PostgreSQL SQLSTATE 53100, by code or, without one, by the end of its message', () => {
    const byCode = Object.assign(new Error(PG_DISK_FULL_MESSAGE), { code: '53100' });
    expect(asStorageFull(byCode)?.message).toBe(
      'disk full: the database has no space left (SQLSTATE 53100); free space on its disk, then retry later',
    );
    const wrapped = new Error(`insert into "feature_rows" ("x") values ($1) - ${PG_DISK_FULL_MESSAGE}`);
    expect(asStorageFull(wrapped)?.code).toBe('INSUFFICIENT_STORAGE');
  });

  it('everything else is not a full disk: other resource errors, constraint errors, words inside SQL', () => {
    expect(asStorageFull(Object.assign(new Error('out of memory'), { code: '53200' }))).toBeNull();
    expect(
      asStorageFull(Object.assign(new Error('temporary file size exceeds'), { code: '53400' })),
    ).toBeNull();
    expect(
      asStorageFull(Object.assign(new Error('UNIQUE failed'), { code: 'SQLITE_CONSTRAINT' })),
    ).toBeNull();
    expect(asStorageFull(new InputError('no space left'))).toBeNull();
    expect(
      asStorageFull(
        new Error(
          `insert into t (x) values ('${PG_DISK_FULL_MESSAGE}') - value too long for type character varying(5)`,
        ),
      ),
    ).toBeNull();
  });
});

describe.runIf(testEngine() === 'postgres')('asStorageFull on PostgreSQL itself', () => {
  it('the server reporting disk_full reaches us as SQLSTATE 53100 with its message', async () => {
    const err = await pgDiskFullError(process.env.TEST_DATABASE_URL!);
    expect((err as unknown as { code: string }).code).toBe('53100');
    expect(err.message).toMatch(/No space left on device$/);
    expect(asStorageFull(err)?.message).toMatch(
      /^disk full: the database has no space left \(SQLSTATE 53100\)/,
    );
    expect(asUnavailable(err)).toBeNull();
  });
});
