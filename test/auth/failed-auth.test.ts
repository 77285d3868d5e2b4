/**
 * Issue 14.2: failed authentication is limited. 5,000 wrong keys used to get 5,000
 * answers of 401 in 2.6 s. Now, past a few free failures, a client address (and a key
 * id, whichever address it comes from) is blocked with a growing backoff: HTTP answers
 * 429 RATE_LIMITED with Retry-After, a WebSocket closes with 4429, and every failure is
 * logged and counted in tidemark_auth_failures_total.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { RateLimitedError, UnauthenticatedError } from '../../src/errors';
import { FailedAuthLimiter, type FailedAuthPolicy } from '../../src/auth/failed-auth';
import { AuthGate } from '../../src/auth/gate';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { keyedServer, type KeyedServer } from './keyed-server';

const POLICY: FailedAuthPolicy = { free: 3, baseMs: 1_000, maxMs: 8_000, forgetMs: 60_000, maxSubjects: 100 };
const WRONG = `tmk_${'a'.repeat(12)}_${'b'.repeat(43)}`;

describe('FailedAuthLimiter', () => {
  it('lets the free failures through, then blocks with a doubling wait up to the maximum', () => {
    const clock = new ManualClock(0);
    const l = new FailedAuthLimiter(POLICY, clock);
    expect([l.fail('x'), l.fail('x'), l.fail('x')]).toEqual([0, 0, 0]);
    expect(l.blockedFor('x')).toBe(0);
    expect(l.fail('x')).toBe(1_000);
    clock.advance(1_000);
    expect(l.blockedFor('x')).toBe(0);
    expect(l.fail('x')).toBe(2_000);
    clock.advance(2_000);
    expect(l.fail('x')).toBe(4_000);
    clock.advance(4_000);
    expect(l.fail('x')).toBe(8_000);
    clock.advance(8_000);
    expect(l.fail('x')).toBe(8_000); // capped
    expect(l.blockedFor('y')).toBe(0); // subjects are separate
  });

  it('forgets a subject after a quiet period, or when told', () => {
    const clock = new ManualClock(0);
    const l = new FailedAuthLimiter(POLICY, clock);
    for (let i = 0; i < 4; i++) l.fail('x');
    expect(l.blockedFor('x')).toBe(1_000);
    clock.advance(60_001);
    expect(l.fail('x')).toBe(0); // counted afresh
    for (let i = 0; i < 4; i++) l.fail('k');
    l.forget('k');
    expect(l.blockedFor('k')).toBe(0);
  });

  it('keeps memory bounded, dropping the oldest subjects', () => {
    const l = new FailedAuthLimiter({ ...POLICY, free: 0, maxSubjects: 10 }, new ManualClock(0));
    for (let i = 0; i < 50; i++) l.fail(`s${i}`);
    expect(l.blockedFor('s0')).toBe(0);
    expect(l.blockedFor('s49')).toBe(1_000);
  });
});

describe(`failed authentication, limited (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: KeyedServer | null = null;
  beforeEach(async () => {
    rt = await createTestRuntime();
  });
  afterEach(async () => {
    await s?.close();
    s = null;
    await rt.dispose();
  });

  it('blocks a key id whatever address it comes from, and an address whatever key it sends', async () => {
    const reasons: string[] = [];
    const gate = new AuthGate(rt.keys, 'required', {
      failures: new FailedAuthLimiter(POLICY),
      onFailure: (_t, reason) => reasons.push(reason),
    });
    const good = await rt.keys.create('alice', 'reader', 'tests');
    const wrongSecret = `tmk_${good.key.id}_${'x'.repeat(43)}`;
    for (let i = 0; i < 3; i++) {
      await expect(
        gate.principal(wrongSecret, { address: `10.0.0.${i}`, transport: 'http' }),
      ).rejects.toThrow(UnauthenticatedError);
    }
    // Fourth failure for this key id, from yet another address: now blocked for 1 s.
    await expect(gate.principal(wrongSecret, { address: '10.0.0.9', transport: 'http' })).rejects.toThrow(
      UnauthenticatedError,
    );
    const blocked = await gate
      .principal(good.secret, { address: '10.0.0.10', transport: 'http' })
      .catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(RateLimitedError);
    expect((blocked as RateLimitedError).retryAfterSeconds).toBe(1);

    // One address trying many key ids is blocked as an address.
    for (let i = 0; i < 4; i++) {
      await gate
        .principal(`tmk_${String(i).padStart(12, '0')}_${'b'.repeat(43)}`, {
          address: '192.0.2.1',
          transport: 'websocket',
        })
        .catch(() => undefined);
    }
    await expect(gate.principal(null, { address: '192.0.2.1', transport: 'http' })).rejects.toThrow(
      RateLimitedError,
    );
    // No key at all guesses nothing: counted, never blocking.
    for (let i = 0; i < 20; i++)
      await gate.principal(null, { address: '192.0.2.3', transport: 'http' }).catch(() => undefined);
    await expect(gate.principal(null, { address: '192.0.2.3', transport: 'http' })).rejects.toThrow(
      /an API key is required/,
    );
    // Other addresses with other keys are unaffected.
    const other = await rt.keys.create('bob', 'reader', 'tests');
    await expect(
      gate.principal(other.secret, { address: '192.0.2.2', transport: 'http' }),
    ).resolves.toMatchObject({ keyId: other.key.id });
    const unknown4 = Array(4).fill('unknown');
    expect(reasons).toEqual([
      ...unknown4,
      'rate_limited',
      ...unknown4,
      'rate_limited',
      ...Array(21).fill('missing'),
    ]);
  });

  it('answers 429 with Retry-After on both HTTP paths and closes a WebSocket with 4429, counted in metrics', async () => {
    const failures = new FailedAuthLimiter({ ...POLICY, baseMs: 60_000, maxMs: 60_000 });
    s = await keyedServer(rt, { failedAuth: failures });
    const express = await keyedServer(rt, { failedAuth: failures, directGraphqlHttp: false });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await s.post('{ runs { totalCount } }', WRONG)).status);
      expect(statuses).toEqual([401, 401, 401, 401]);
      const limited = await s.post('{ runs { totalCount } }', WRONG);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('60');
      expect(limited.body.errors[0]).toEqual({
        message: 'too many failed authentication attempts; retry after 60 s',
        extensions: { code: 'RATE_LIMITED' },
      });
      // The Express path (and a valid key from the blocked address) is refused alike.
      const admin = await rt.keys.create('ops', 'admin', 'tests');
      const viaExpress = await express.post('{ runs { totalCount } }', admin.secret);
      expect(viaExpress.status).toBe(429);
      expect(viaExpress.headers.get('retry-after')).toBe('60');
      expect((await s.get('/metrics', admin.secret)).status).toBe(429);
      const sock = await s.socket(WRONG);
      expect(await sock.closed).toEqual({
        code: 4429,
        reason: 'too many failed authentication attempts; retry after 60 s',
      });
      // Both servers count in the runtime's registry: GraphQL twice and /metrics once, refused.
      failures.forget('address:127.0.0.1');
      const metrics = (await s.get('/metrics', admin.secret)).body as string;
      expect(metrics).toContain('tidemark_auth_failures_total{transport="http",reason="unknown"} 4');
      expect(metrics).toContain('tidemark_auth_failures_total{transport="http",reason="rate_limited"} 3');
      expect(metrics).toContain(
        'tidemark_auth_failures_total{transport="websocket",reason="rate_limited"} 1',
      );
    } finally {
      await express.close();
    }
  });
});
