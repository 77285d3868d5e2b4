/**
 * API keys: `tmk_<id>_<secret>`. Only the sha256 of the secret is stored (the
 * secret is 32 random bytes, so a slow hash adds nothing); the full key is shown
 * once, at creation. Authentication looks the key up by id and compares hashes in
 * constant time. Creating and revoking keys is audited.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock';
import type { Store } from '../store/store';
import { InputError, NotFoundError, UnauthenticatedError } from '../errors';
import { isRole, ROLES, type Principal, type Role } from '../domain/role';
import type { ApiKey } from '../domain/api-key';

const KEY_RE = /^tmk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** Why a key was refused: a label for metrics and logs, never shown beyond the message. */
export type RefusalReason = 'missing' | 'malformed' | 'unknown' | 'revoked';

export class KeyRefusedError extends UnauthenticatedError {
  constructor(
    message: string,
    readonly reason: RefusalReason,
  ) {
    super(message);
  }
}

/** The key id a token claims (`tmk_<id>_…`), or null when it does not look like a key. */
export function claimedKeyId(token: string): string | null {
  return /^\s*tmk_([a-z0-9]{12})_/.exec(token)?.[1] ?? null;
}

export interface CreatedKey {
  key: ApiKey;
  /** The full key: shown once, never stored. */
  secret: string;
}

/**
 * How often a key's last use is written, at most, per process: a write per request would
 * be a write transaction per read, each queued behind a run's commit on SQLite (holding
 * the pooled connection meanwhile). Last use is for spotting unused keys, not an audit.
 */
export const TOUCH_EVERY_MS = 60_000;

export class ApiKeyService {
  /** When this process last wrote each key's last use. */
  private readonly touched = new Map<string, number>();

  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  async create(owner: string, role: string, actor: string): Promise<CreatedKey> {
    if (!isRole(role)) throw new InputError(`role must be one of ${ROLES.join(', ')}; got '${role}'`);
    if (!owner.trim() || owner.length > 200) throw new InputError('owner must be 1 to 200 characters');
    const { id, secretSha256, token } = newKeyMaterial();
    const key: ApiKey = {
      id,
      owner: owner.trim(),
      role: role as Role,
      secretSha256,
      createdAt: this.deps.clock.now(),
      createdBy: actor,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.deps.store.transaction(async (tx) => {
      await tx.apiKeys.insert(key);
      await tx.audit.append({
        at: key.createdAt,
        actor,
        action: 'key.create',
        targetKind: 'api_key',
        targetId: id,
        environment: null,
        before: null,
        after: { owner: key.owner, role: key.role },
        details: null,
      });
    });
    return { key, secret: token };
  }

  list(): Promise<ApiKey[]> {
    return this.deps.store.apiKeys.list();
  }

  async revoke(id: string, actor: string): Promise<ApiKey> {
    const key = await this.deps.store.apiKeys.get(id);
    if (!key) throw new NotFoundError(`API key '${id}' does not exist`);
    const at = this.deps.clock.now();
    await this.deps.store.transaction(async (tx) => {
      if (!(await tx.apiKeys.revoke(id, at))) throw new InputError(`API key '${id}' is already revoked`);
      await tx.audit.append({
        at,
        actor,
        action: 'key.revoke',
        targetKind: 'api_key',
        targetId: id,
        environment: null,
        before: { revokedAt: null },
        after: { revokedAt: at },
        details: { owner: key.owner },
      });
    });
    return { ...key, revokedAt: at };
  }

  /** The principal behind a bearer token; UnauthenticatedError for anything else. */
  async authenticate(token: string): Promise<Principal> {
    const m = KEY_RE.exec(token.trim());
    if (!m) throw new KeyRefusedError('malformed API key (expected tmk_<id>_<secret>)', 'malformed');
    const key = await this.deps.store.apiKeys.get(m[1]!);
    const given = Buffer.from(sha256(m[2]!), 'hex');
    // Compare against something even for an unknown id, so timing does not reveal which ids exist.
    const stored = Buffer.from(key?.secretSha256 ?? '0'.repeat(64), 'hex');
    if (!key || !timingSafeEqual(given, stored)) throw new KeyRefusedError('unknown API key', 'unknown');
    if (key.revokedAt !== null) throw new KeyRefusedError('this API key was revoked', 'revoked');
    this.touch(key.id);
    return { actor: `key:${key.owner}`, role: key.role, keyId: key.id };
  }

  private touch(id: string): void {
    const now = this.deps.clock.now();
    const last = this.touched.get(id);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    void this.deps.store.apiKeys.touch(id, now).catch(() => this.touched.delete(id));
  }
}

/** A new key: its id, the full token (shown once) and the hash of its secret (stored). */
export function newKeyMaterial(): { id: string; token: string; secretSha256: string } {
  const id = randomBytes(9)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `tmk_${id}_${secret}`, secretSha256: sha256(secret) };
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
