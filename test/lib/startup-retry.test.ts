/**
 * Start-up retries an unavailable database with growing waits until a deadline, and
 * nothing else: a real error is final at once.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { whileUnavailable } from '../../src/lib/startup-retry';

function harness() {
  let t = 0;
  const waits: number[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  return {
    waits,
    lines,
    opts: (deadlineMs: number) => ({
      logger,
      deadlineMs,
      now: () => t,
      sleep: async (ms: number) => {
        waits.push(ms);
        t += ms;
      },
    }),
  };
}

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('whileUnavailable', () => {
  it('retries while the database refuses, with doubling waits, and logs each attempt', async () => {
    const h = harness();
    let calls = 0;
    const out = await whileUnavailable(
      'migrations',
      async () => {
        if (++calls < 5) throw refused();
        return 'migrated';
      },
      h.opts(60_000),
    );
    expect(out).toBe('migrated');
    expect(h.waits).toEqual([250, 500, 1000, 2000]);
    expect(h.lines.map((l) => [l.msg, l.step, l.attempt])).toEqual([
      ['database unavailable at start-up; retrying', 'migrations', 1],
      ['database unavailable at start-up; retrying', 'migrations', 2],
      ['database unavailable at start-up; retrying', 'migrations', 3],
      ['database unavailable at start-up; retrying', 'migrations', 4],
    ]);
    expect(String(h.lines[0]!.error)).toMatch(/^the database is unreachable \(ECONNREFUSED\)/);
  });

  it('gives up at the deadline with the last error, never waiting past it', async () => {
    const h = harness();
    const err = refused();
    await expect(
      whileUnavailable(
        'contract sync',
        async () => {
          throw err;
        },
        h.opts(7_000),
      ),
    ).rejects.toBe(err);
    expect(h.waits).toEqual([250, 500, 1000, 2000, 3250]);
    expect(h.waits.reduce((a, b) => a + b, 0)).toBe(7_000);
  });

  it('does not retry an error that is not about reaching the database, nor at all with no wait allowed', async () => {
    const h = harness();
    const bad = new Error('contract meters: unknown column');
    let calls = 0;
    await expect(
      whileUnavailable(
        'contract sync',
        async () => {
          calls++;
          throw bad;
        },
        h.opts(60_000),
      ),
    ).rejects.toBe(bad);
    expect(calls).toBe(1);
    await expect(
      whileUnavailable(
        'migrations',
        async () => {
          calls++;
          throw refused();
        },
        h.opts(0),
      ),
    ).rejects.toThrow(/ECONNREFUSED/);
    expect(calls).toBe(2);
    expect(h.waits).toEqual([]);
  });
});
