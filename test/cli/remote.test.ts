/**
 * `tidemark features` and `tidemark training-set` against a server (`--url`/`--key`, or
 * TIDEMARK_URL/TIDEMARK_API_KEY): the real CLI as a child process, a real server with
 * keys required on this leg's engine. The answers print as the local ones do; a refused
 * key exits 1 with the server's reason, an unreachable server 75, and no file is left.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { keyedServer, PUSH_CONTRACT, type KeyedServer } from '../auth/keyed-server';
import { runCli } from '../support/cli';

describe(`the CLI against a server (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: KeyedServer;
  let key: string;
  let dir: string;

  beforeAll(async () => {
    rt = await createTestRuntime({ contracts: [PUSH_CONTRACT] });
    s = await keyedServer(rt);
    const run = await rt.runs.ingest({
      contract: 'pings',
      environment: 'dev',
      actor: 'test',
      records: [
        { ts: '2024-05-01T00:00:00Z', device: 'd1', n: 1 },
        { ts: '2024-05-02T00:00:00Z', device: 'd1', n: 2 },
      ],
    });
    expect(run.status).toBe('succeeded');
    key = (await s.key('reader')).secret;
    dir = mkdtempSync(join(tmpdir(), 'tidemark-remote-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await s.close();
    await rt.dispose();
  });

  // No TIDEMARK_DATA_DIR or DATABASE_URL: a local read would find no contract at all.
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli(args, { TIDEMARK_DATA_DIR: join(dir, 'empty'), ...env });

  it('features prints the server’s vectors as the local read prints them', async () => {
    const args = ['features', 'pings', '--entity', 'd1', '--entity', 'd9', '--as-of', '2024-05-01T12:00:00Z'];
    const r = await cli([...args, '--url', s.base, '--key', key]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        entity: 'd1',
        timestamp: '2024-05-01T12:00:00.000Z',
        eventTime: '2024-05-01T00:00:00.000Z',
        values: { n: 1 },
        runId: expect.stringMatching(/^run_/),
        contractVersion: '1.0.0',
      },
      {
        entity: 'd9',
        timestamp: '2024-05-01T12:00:00.000Z',
        eventTime: null,
        values: null,
        runId: null,
        contractVersion: null,
      },
    ]);
    // The same from the environment.
    const env = await cli(args, { TIDEMARK_URL: `${s.base}/graphql`, TIDEMARK_API_KEY: key });
    expect(env.stderr).toBe('');
    expect(env.stdout).toBe(r.stdout);
  });

  it('training-set writes the server’s answer as CSV or Arrow', async () => {
    const spine = join(dir, 'spine.csv');
    writeFileSync(spine, 'device,timestamp\nd1,2024-05-03\nd2,2024-05-03\nd1,2024-05-01T06:00:00Z\n');
    const out = join(dir, 'ts.csv');
    const args = ['training-set', '--spine', spine, '--features', 'pings:n', '--url', s.base, '--key', key];
    const r = await cli([...args, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(
      'device,timestamp,n\nd1,2024-05-03T00:00:00.000Z,2\nd2,2024-05-03T00:00:00.000Z,\nd1,2024-05-01T06:00:00.000Z,1\n',
    );
    const arrow = join(dir, 'ts.arrow');
    expect((await cli([...args, '--out', arrow])).code).toBe(0);
    const n = tableFromIPC(readFileSync(arrow)).getChild('n')!;
    expect([0, 1, 2].map((i) => n.get(i))).toEqual([2n, null, 1n]);
  });

  it('training-set sends a Parquet spine and writes the server’s Parquet answer', async () => {
    const spine = join(dir, 'spine.parquet');
    writeFileSync(
      spine,
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'device', data: ['d1', 'd2', 'd1'], type: 'STRING' },
            { name: 'timestamp', data: ['2024-05-03', '2024-05-03', '2024-05-01T06:00:00Z'], type: 'STRING' },
          ],
        }),
      ),
    );
    const out = join(dir, 'ts.parquet');
    const r = await cli([
      'training-set',
      '--spine',
      spine,
      '--features',
      'pings:n',
      '--out',
      out,
      '--url',
      s.base,
      '--key',
      key,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const bytes = readFileSync(out);
    const rows = await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    });
    expect(rows.map((x) => [x.device, x.n])).toEqual([
      ['d1', 2n],
      ['d2', null],
      ['d1', 1n],
    ]);
    const refused = await cli([
      'training-set',
      '--spine',
      spine,
      '--features',
      'pings:n',
      '--out',
      join(dir, 'refused.parquet'),
      '--url',
      s.base,
      '--key',
      'tmk_nope_nope',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: the server refused: /);
  });

  it('a refused key exits 1 with the server’s reason; an unreachable server 75; no file is left', async () => {
    const spine = join(dir, 'spine2.csv');
    writeFileSync(spine, 'device,timestamp\nd1,2024-05-03\n');
    const out = join(dir, 'refused.csv');
    const refused = await cli([
      'training-set',
      '--spine',
      spine,
      '--features',
      'pings:n',
      '--out',
      out,
      '--url',
      s.base,
      '--key',
      'tmk_nope_nope',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: the server refused: /);
    expect(existsSync(out) || existsSync(`${out}.partial`)).toBe(false);
    const noKey = await cli(['features', 'pings', '--entity', 'd1', '--url', s.base]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/^error: the server refused: an API key is required/);
    const bad = await cli([
      'training-set',
      '--spine',
      spine,
      '--features',
      'pings:nope',
      '--out',
      out,
      '--url',
      s.base,
      '--key',
      key,
    ]);
    expect(bad.stderr).toMatch(/^error: the server refused: unknown feature\(s\) nope in pings/);
    const away = await cli(['features', 'pings', '--entity', 'd1', '--url', 'http://127.0.0.1:1']);
    expect(away.code).toBe(75);
    expect(away.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:1: /);
  });
});
