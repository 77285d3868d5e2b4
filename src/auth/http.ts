/**
 * HTTP access: a middleware resolves the caller (API key or development-mode
 * anonymous) and applies the per-caller rate limit; the same refusal answers every
 * endpoint (GraphQL, /v1 routes, /metrics).
 */
import type { NextFunction, Request, Response } from 'express';
import { RateLimitedError, TidemarkError, asUnavailable } from '../errors';
import type { AuthGate } from './gate';
import type { RateLimiter } from './rate-limit';
import type { Principal } from '../domain/role';

export interface AuthedRequest extends Request {
  principal?: Principal;
}

export function authMiddleware(gate: AuthGate, limiter: RateLimiter) {
  return async (req: AuthedRequest, res: Response, next: NextFunction): Promise<void> => {
    if (req.method === 'GET' && !req.query.query) return next(); // the explorer page
    try {
      const principal = await gate.principal(req.headers.authorization, {
        address: req.socket.remoteAddress,
        transport: 'http',
      });
      const caller = principal.keyId ?? `anonymous@${req.ip}`;
      if (!limiter.take(caller)) {
        res.status(429).json({
          errors: [
            { message: 'rate limit exceeded: slow down and retry', extensions: { code: 'RATE_LIMITED' } },
          ],
        });
        return;
      }
      req.principal = principal;
      next();
    } catch (err) {
      const refusal = authRefusal(err);
      if (!refusal) return next(err);
      res.status(refusal.status).set(refusal.headers).json(refusal.body);
    }
  };
}

/**
 * For HTTP endpoints beside GraphQL (/metrics, /readyz): the caller must be someone the
 * gate accepts (any role, reader included). Where keys are not required (development
 * mode on loopback) a call without a key passes as anonymous.
 */
export function keyRequired(gate: AuthGate) {
  return async (req: AuthedRequest, res: Response, next: NextFunction): Promise<void> => {
    try {
      req.principal = await gate.principal(req.headers.authorization, {
        address: req.socket.remoteAddress,
        transport: 'http',
      });
      next();
    } catch (err) {
      const refusal = authRefusal(err);
      if (!refusal) return next(err);
      res.status(refusal.status).set(refusal.headers).json(refusal.body);
    }
  };
}

export interface AuthRefusal {
  status: number;
  headers: Record<string, string>;
  body: { errors: Array<{ message: string; extensions: { code: string } }> };
}

/**
 * The answer when the caller could not be decided: 401 for a refused key; 429 with
 * Retry-After after too many failed attempts; 503 UNAVAILABLE when looking the key up
 * failed because the database is unreachable (the key may be fine); null for anything
 * else (a bug: the caller answers 500).
 */
export function authRefusal(err: unknown): AuthRefusal | null {
  const unavailable = asUnavailable(err);
  const known = unavailable ?? (err instanceof TidemarkError ? err : null);
  if (!known) return null;
  const limited = known instanceof RateLimitedError ? known : null;
  return {
    status: unavailable ? 503 : limited ? 429 : 401,
    headers: limited ? { 'retry-after': String(limited.retryAfterSeconds) } : {},
    body: { errors: [{ message: known.message, extensions: { code: known.code } }] },
  };
}
