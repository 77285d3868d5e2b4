/**
 * knex's own messages (a connection it could not acquire, mostly) become structured
 * records on the logger, never coloured text on stdout (src/store/driver-log.ts).
 */
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDb, type Db } from '../../src/store/connection';
import { knexLog, type DriverLogger } from '../../src/store/driver-log';

/** A port nothing listens on: bound, then closed. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

function recorder() {
  const records: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const logger: DriverLogger = {
    warn: (fields, msg) => records.push({ level: 'warn', fields, msg }),
    error: (fields, msg) => records.push({ level: 'error', fields, msg }),
  };
  return { records, logger };
}

describe("the database driver's own messages", () => {
  let db: Db | null = null;
  afterEach(async () => {
    vi.restoreAllMocks();
    await db?.close();
    db = null;
  });

  it('a refused connection is a warn record of the database driver, and stdout stays clean', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const { records, logger } = recorder();
    db = openDb({ engine: 'postgres', url: `postgres://u@127.0.0.1:${await deadPort()}/x` }, logger);
    await expect(db.knex.raw('select 1')).rejects.toThrow(/ECONNREFUSED/);
    expect(records.length).toBeGreaterThan(0);
    const first = records[0]!;
    expect(first.level).toBe('warn');
    expect(first.msg).toMatch(/^Acquire connection error: .*ECONNREFUSED/);
    expect(first.msg).not.toContain('\n');
    expect(first.fields).toMatchObject({ component: 'database driver' });
    expect(String(first.fields.detail)).toMatch(/at /); // the stack, kept out of the message
    expect(stdout.mock.calls.map((c) => String(c[0])).join('')).not.toContain('Acquire connection');
  });

  it('without a logger the record is one JSON line on stderr', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write');
    const log = knexLog();
    log.warn?.('Acquire connection error: Error: boom\n    at somewhere');
    log.debug?.('noise');
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).toHaveBeenCalledTimes(1);
    const line = JSON.parse(String(stderr.mock.calls[0]![0]));
    expect(line).toMatchObject({
      level: 'warn',
      service: 'tidemark',
      component: 'database driver',
      msg: 'Acquire connection error: Error: boom',
      detail: 'at somewhere',
    });
  });
});
