/**
 * `tidemark serve` (what `npm start` runs) on a busy port: one line naming the port
 * and what to do, exit 1, and nothing started: no sample copied, no run, no database
 * work. It once printed stack traces after it had started runs.
 */
import { createServer, type Server } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCliHome, type CliHome } from '../support/cli';

function occupy(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : 0 });
    }),
  );
}

describe('tidemark serve on a busy port', () => {
  let home: CliHome;
  let busy: { server: Server; port: number };
  beforeEach(async () => {
    home = await createCliHome();
    busy = await occupy();
  });
  afterEach(async () => {
    busy.server.close();
    await home.dispose();
  });

  it('says so in one line, exits 1 and starts nothing', async () => {
    const r = await home.cli(['serve'], { env: { PORT: String(busy.port), TIDEMARK_LOG_LEVEL: 'info' } });
    expect(r).toEqual({ code: 1, stdout: '', stderr: `error: port ${busy.port} is in use; set PORT\n` });
    const landing = join(home.dataDir, 'landing');
    expect(existsSync(landing) ? readdirSync(landing) : []).toEqual([]);
    expect(existsSync(join(home.dataDir, 'tidemark.sqlite'))).toBe(false);
  }, 30_000);

  it('as a worker too (it serves its probes on PORT): one line, exit 1, nothing started', async () => {
    const r = await home.cli(['serve', '--role', 'worker'], {
      env: { PORT: String(busy.port), TIDEMARK_LOG_LEVEL: 'info' },
    });
    expect(r).toEqual({ code: 1, stdout: '', stderr: `error: port ${busy.port} is in use; set PORT\n` });
    expect(existsSync(join(home.dataDir, 'tidemark.sqlite'))).toBe(false);
  }, 30_000);
});

describe('tidemark serve --role', () => {
  let home: CliHome;
  beforeEach(async () => {
    home = await createCliHome();
  });
  afterEach(() => home.dispose());

  it('refuses an unknown role, from the option or TIDEMARK_ROLE, before opening the store', async () => {
    const flag = await home.cli(['serve', '--role', 'reader']);
    expect(flag).toEqual({
      code: 1,
      stdout: '',
      stderr: "error: --role must be one of api, worker, all; got 'reader'\n",
    });
    const env = await home.cli(['serve'], { env: { TIDEMARK_ROLE: 'both' } });
    expect(env).toEqual({
      code: 1,
      stdout: '',
      stderr: "error: TIDEMARK_ROLE must be one of api, worker, all; got 'both'\n",
    });
    expect(existsSync(join(home.dataDir, 'tidemark.sqlite'))).toBe(false);
  }, 30_000);
});
