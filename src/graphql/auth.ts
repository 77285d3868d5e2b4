/**
 * Access control for GraphQL. HTTP: a middleware resolves the caller (API key or
 * development-mode anonymous) and applies the per-caller rate limit before Apollo
 * runs. Resolvers declare the role they need with @Authorized('writer' | 'admin');
 * every operation needs at least `reader`, which every principal has.
 */
import type { NextFunction, Request, Response } from 'express';
import type { AuthChecker } from 'type-graphql';
import { ForbiddenError, TidemarkError } from '../errors';
import type { AuthGate } from '../auth/gate';
import type { RateLimiter } from '../auth/rate-limit';
import { roleAllows, type Principal, type Role } from '../auth/roles';
import type { GraphQLContext } from './context';

export const authChecker: AuthChecker<GraphQLContext, Role> = ({ context }, roles) => {
  const need = roles[0] ?? 'reader';
  if (!roleAllows(context.principal.role, need)) {
    throw new ForbiddenError(
      `${context.principal.actor} has role ${context.principal.role}; this operation needs ${need}`,
    );
  }
  return true;
};

export interface AuthedRequest extends Request {
  principal?: Principal;
}

export function authMiddleware(gate: AuthGate, limiter: RateLimiter) {
  return async (req: AuthedRequest, res: Response, next: NextFunction): Promise<void> => {
    if (req.method === 'GET' && !req.query.query) return next(); // the explorer page
    try {
      const principal = await gate.principal(req.headers.authorization);
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
      if (!(err instanceof TidemarkError)) return next(err);
      res.status(401).json({ errors: [{ message: err.message, extensions: { code: err.code } }] });
    }
  };
}
