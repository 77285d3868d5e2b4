/**
 * Who may call: decides the principal of a request from its bearer token and the
 * server's auth mode. `required`: every call needs a key. `loopback-anonymous`
 * (development mode, only allowed when listening on loopback): a call without a key
 * is an anonymous admin; a call with a key is that key.
 *
 * Failed attempts (a malformed, unknown or revoked key; not a missing one) are limited
 * per client address and per claimed key id (failed-auth.ts): past the free ones the
 * caller is refused with RateLimitedError before its key is looked at. Every failure is counted in
 * `tidemark_auth_failures_total` and logged; a block is logged once, when it starts.
 */
import type { Logger } from 'pino';
import { InputError, RateLimitedError, UnauthenticatedError, asUnavailable } from '../errors';
import { isLoopback, type Config } from '../config';
import { claimedKeyId, KeyRefusedError, type ApiKeyService, type RefusalReason } from './key.service';
import { FailedAuthLimiter } from './failed-auth';
import type { Principal } from '../domain/role';

export type AuthMode = 'required' | 'loopback-anonymous';

export const ANONYMOUS: Principal = { actor: 'anonymous', role: 'admin', keyId: null };

/** Where an attempt comes from: its address is one of the subjects limited. */
export interface AuthClient {
  address?: string;
  transport: 'http' | 'websocket';
}

export interface AuthGateOptions {
  failures?: FailedAuthLimiter;
  /** Counts failures by transport and reason (`missing`, `malformed`, `unknown`, `revoked`, `rate_limited`). */
  onFailure?: (transport: AuthClient['transport'], reason: RefusalReason | 'rate_limited') => void;
  logger?: Pick<Logger, 'warn'>;
}

export class AuthGate {
  private readonly failures: FailedAuthLimiter;

  constructor(
    private readonly keys: ApiKeyService,
    readonly mode: AuthMode,
    private readonly opts: AuthGateOptions = {},
  ) {
    this.failures = opts.failures ?? new FailedAuthLimiter();
  }

  /** `authorization` is the header value (`Bearer tmk_…`) or a bare key. */
  async principal(
    authorization: string | undefined | null,
    client: AuthClient = { transport: 'http' },
  ): Promise<Principal> {
    const token = bearer(authorization);
    if (!token && this.mode === 'loopback-anonymous') return ANONYMOUS;
    const keyId = token ? claimedKeyId(token) : null;
    const subjects = [`address:${client.address ?? 'unknown'}`, ...(keyId ? [`key:${keyId}`] : [])];
    this.refuseWhileBlocked(subjects, client);
    try {
      if (!token)
        throw new KeyRefusedError('an API key is required: send Authorization: Bearer <key>', 'missing');
      const principal = await this.keys.authenticate(token);
      if (keyId) this.failures.forget(`key:${keyId}`);
      return principal;
    } catch (err) {
      if (err instanceof UnauthenticatedError && !asUnavailable(err))
        this.recordFailure(err, subjects, client);
      throw err;
    }
  }

  private refuseWhileBlocked(subjects: string[], client: AuthClient): void {
    const waitMs = Math.max(...subjects.map((s) => this.failures.blockedFor(s)));
    if (waitMs <= 0) return;
    this.opts.onFailure?.(client.transport, 'rate_limited');
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    throw new RateLimitedError(`too many failed authentication attempts; retry after ${seconds} s`, waitMs);
  }

  private recordFailure(err: UnauthenticatedError, subjects: string[], client: AuthClient): void {
    const reason = err instanceof KeyRefusedError ? err.reason : 'unknown';
    this.opts.onFailure?.(client.transport, reason);
    // No key guesses nothing and costs no lookup: counted, but it neither blocks nor logs
    // (a browser opening the explorer before its key is entered must not lock itself out).
    if (reason === 'missing') return;
    const blockedMs = Math.max(...subjects.map((s) => this.failures.fail(s)));
    const fields = { address: client.address, transport: client.transport, subjects, reason };
    this.opts.logger?.warn(fields, 'authentication failed');
    if (blockedMs > 0)
      this.opts.logger?.warn({ ...fields, blockedMs }, 'too many failed authentications: caller blocked');
  }
}

function bearer(v: string | undefined | null): string | null {
  if (!v) return null;
  const m = /^\s*Bearer\s+(\S+)\s*$/i.exec(v);
  return m ? m[1]! : v.trim() || null;
}

/** The mode for a server listening on `config.host`; refuses anonymous access beyond loopback. */
export function authModeFor(config: Pick<Config, 'auth' | 'host'>): AuthMode {
  const loopback = isLoopback(config.host);
  if (config.auth === 'required') return 'required';
  if (config.auth === 'dev' && !loopback) {
    throw new InputError(
      `TIDEMARK_AUTH=dev allows anonymous access and is refused on HOST=${config.host}; use a loopback address`,
    );
  }
  return loopback ? 'loopback-anonymous' : 'required';
}
