/**
 * Fault: hostile callers against one instance with keys required: path-traversal file
 * names (CLI --file, contract source paths, a planted symlink) and callers without a
 * valid key or with too small a role. Each is refused and leaves the store exactly as
 * it was (see support/guarded.ts).
 */
import { symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { observe, waitFor } from './support/workspace';
import { metersContract, pushContract, pushRecords } from './support/data';
import { codes } from './support/client';
import { brief, openGuarded, type Guarded } from './support/guarded';

const FAULT = 'hostile callers: path traversal and access';

describe(FAULT, () => {
  let g: Guarded;
  // Short names for the tests below.
  const call: Guarded['call'] = (...args) => g.call(...args);
  const nothingStored: Guarded['nothingStored'] = (fn) => g.nothingStored(fn);

  beforeAll(async () => {
    g = await openGuarded('access');
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await g?.ws.diagnose();
  });

  afterAll(async () => {
    await g?.ws.dispose();
  });

  it('path-traversal file names → refused (FORBIDDEN / BAD_USER_INPUT), nothing read', async () => {
    const outcomes: string[] = [];
    const files = ['../../etc/passwd', '/etc/passwd', 'meters/../../../etc/passwd'];
    // CLI processes start slowly (tsx); they run side by side.
    const cli = await nothingStored(() =>
      Promise.all(files.map((file) => g.ws.cli(['run', 'meters', '--file', file]))),
    );
    cli.forEach((r, i) => {
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr).toMatch(/is outside the landing directory/);
      outcomes.push(
        `run --file ${files[i]} → exit ${r.code} "${r.stderr
          .trim()
          .replace(/^error: /, '')
          .replace(/ \/tmp\/\S+/, ' …')}"`,
      );
    });
    for (const path of ['../../etc/*', '/etc/passwd', 'meters/../../secrets/*.csv']) {
      const yaml = metersContract('escape', 'x').replace('path: "x/*.csv"', `path: "${path}"`);
      const r = await nothingStored(() =>
        call('mutation($y: String!) { applyContract(yaml: $y) { status } }', { y: yaml }),
      );
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      outcomes.push(`applyContract source.path ${path} → ${brief(r)}`);
    }
    // A symlink planted in the landing directory, pointing out of it.
    const link = join(g.ws.landingDir, 'meters', 'passwd.csv');
    symlinkSync('/etc/passwd', link);
    try {
      const r = await nothingStored(() => call('mutation { triggerRun(contract: "meters") { id } }'));
      expect(codes(r)).toEqual(['FORBIDDEN']);
      outcomes.push(
        `triggerRun over a landed symlink to /etc/passwd → ${brief(r)} ("${r.errors![0]!.message.slice(0, 60)}…")`,
      );
    } finally {
      unlinkSync(link);
    }
    // triggerRun takes no file over GraphQL at all.
    const arg = await nothingStored(() =>
      call('mutation { triggerRun(contract: "meters", file: "../../etc/passwd") { id } }'),
    );
    expect(arg.status).toBe(400);
    outcomes.push(`triggerRun(file:) → ${brief(arg)}`);
    observe(
      FAULT,
      'path traversal: `tidemark run --file`, contract source.path, a symlink in the landing directory, a file argument on triggerRun',
      `${outcomes.join('; ')}; nothing stored`,
    );
  });

  it('no key → 401, bad or revoked key → 401, reader mutating → FORBIDDEN, writer administering → FORBIDDEN', async () => {
    const mutation = 'mutation($r: [JSON!]!) { ingest(contract: "pings", records: $r) { id } }';
    const vars = { r: pushRecords('s', 3, 99) };
    const none = await nothingStored(() => call(mutation, vars, null));
    const malformed = await nothingStored(() => call(mutation, vars, 'tmk_nope'));
    const unknown = await nothingStored(() =>
      call(mutation, vars, `tmk_${'a'.repeat(12)}_${'b'.repeat(43)}`),
    );
    const revoked = await nothingStored(() => call(mutation, vars, g.key.revoked));
    for (const r of [none, malformed, unknown, revoked]) {
      expect(r.status).toBe(401);
      expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    }
    const reader = await nothingStored(() => call(mutation, vars, g.key.reader));
    expect(codes(reader)).toEqual(['FORBIDDEN']);
    const readerTrigger = await nothingStored(() =>
      call('mutation { triggerRun(contract: "meters") { id } }', {}, g.key.reader),
    );
    expect(codes(readerTrigger)).toEqual(['FORBIDDEN']);
    const writer = await nothingStored(() =>
      call(
        'mutation($y: String!) { applyContract(yaml: $y) { status } }',
        { y: pushContract('other') },
        g.key.writer,
      ),
    );
    expect(codes(writer)).toEqual(['FORBIDDEN']);
    const readerReads = await call('{ runs { totalCount } }', {}, g.key.reader);
    expect(readerReads.errors).toBeUndefined();
    // WebSocket without a key: the connection is refused.
    const refused = await new Promise<number | undefined>((resolve) => {
      const c = createClient({
        url: g.a.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => undefined,
        on: { closed: (e) => resolve((e as { code?: number }).code) },
      });
      c.subscribe(
        { query: 'subscription { runStatusChanged { id } }' },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
    });
    expect(refused).toBe(4403);
    // The refusals are not audited as actions (nothing happened), but the failed attempts are in the log.
    await waitFor(
      async () => g.a.logs.some((l) => l.msg === 'websocket connection refused'),
      5_000,
      'refusal logged',
    );
    observe(
      FAULT,
      'no Authorization; malformed key; unknown key; revoked key; reader calling ingest and triggerRun; writer calling applyContract; WebSocket without a key',
      `${brief(none)}; ${brief(malformed)}; ${brief(unknown)}; ${brief(revoked)} ("${revoked.errors![0]!.message}"); reader: ${brief(reader)}, ${brief(readerTrigger)}; writer: ${brief(writer)}; ` +
        `WebSocket closed with ${refused}; reader queries still answer; nothing stored`,
    );
  });
});
