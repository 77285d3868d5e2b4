/**
 * Who may call: decides the principal of a request from its bearer token and the
 * server's auth mode. `required`: every call needs a key. `loopback-anonymous`
 * (development mode, only allowed when listening on loopback): a call without a key
 * is an anonymous admin; a call with a key is that key.
 */
import { InputError, UnauthenticatedError } from '../errors';
import { isLoopback, type Config } from '../config';
import type { ApiKeyService } from './key.service';
import type { Principal } from './roles';

export type AuthMode = 'required' | 'loopback-anonymous';

export const ANONYMOUS: Principal = { actor: 'anonymous', role: 'admin', keyId: null };

export class AuthGate {
  constructor(
    private readonly keys: ApiKeyService,
    readonly mode: AuthMode,
  ) {}

  /** `authorization` is the header value (`Bearer tmk_…`) or a bare key. */
  async principal(authorization: string | undefined | null): Promise<Principal> {
    const token = bearer(authorization);
    if (token) return this.keys.authenticate(token);
    if (this.mode === 'loopback-anonymous') return ANONYMOUS;
    throw new UnauthenticatedError('an API key is required: send Authorization: Bearer <key>');
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
