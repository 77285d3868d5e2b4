/** API keys (hashed secrets only). */
import type { Knex } from 'knex';
import { T } from './tables';
import { toMillis } from './dialect';
import type { ApiKey } from '../domain/api-key';
import type { Role } from '../domain/role';
import { rowsBeside, type ReadStatements } from './read-statements';

interface DbApiKeyRow {
  id: string;
  owner: string;
  role: string;
  secret_sha256: string;
  created_at: number | string;
  created_by: string;
  revoked_at: number | string | null;
  last_used_at: number | string | null;
}

/**
 * Every request where keys are required looks its key up, and open WebSockets re-check
 * theirs: those reads go beside the writer (`reads`, as the online reads do), since on
 * SQLite a run's transaction holds the one pooled connection for seconds.
 */
export class ApiKeyRepository {
  constructor(
    private readonly db: Knex | Knex.Transaction,
    private readonly reads: () => ReadStatements | null = () => null,
  ) {}

  private rows<R>(q: Knex.QueryBuilder): Promise<R[]> {
    return rowsBeside<R>(this.reads(), q);
  }

  async insert(k: ApiKey): Promise<void> {
    await this.db(T.apiKeys).insert({
      id: k.id,
      owner: k.owner,
      role: k.role,
      secret_sha256: k.secretSha256,
      created_at: k.createdAt,
      created_by: k.createdBy,
      revoked_at: k.revokedAt,
      last_used_at: k.lastUsedAt,
    });
  }

  async get(id: string): Promise<ApiKey | null> {
    const [row] = await this.rows<DbApiKeyRow>(this.db(T.apiKeys).where({ id }).limit(1));
    return row ? toKey(row) : null;
  }

  /** Role and revocation of each id that exists (for re-checking live connections). */
  async states(ids: string[]): Promise<Array<Pick<ApiKey, 'id' | 'role' | 'revokedAt'>>> {
    const out: Array<Pick<ApiKey, 'id' | 'role' | 'revokedAt'>> = [];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.rows<DbApiKeyRow>(
        this.db(T.apiKeys)
          .select('id', 'role', 'revoked_at')
          .whereIn('id', ids.slice(i, i + 500)),
      );
      for (const r of rows) out.push({ id: r.id, role: r.role as Role, revokedAt: toMillis(r.revoked_at) });
    }
    return out;
  }

  async list(): Promise<ApiKey[]> {
    return (await this.db<DbApiKeyRow>(T.apiKeys).orderBy('created_at', 'asc')).map(toKey);
  }

  async revoke(id: string, at: number): Promise<boolean> {
    return (await this.db(T.apiKeys).where({ id }).whereNull('revoked_at').update({ revoked_at: at })) > 0;
  }

  async touch(id: string, at: number): Promise<void> {
    await this.db(T.apiKeys).where({ id }).update({ last_used_at: at });
  }
}

function toKey(r: DbApiKeyRow): ApiKey {
  return {
    id: r.id,
    owner: r.owner,
    role: r.role as Role,
    secretSha256: r.secret_sha256,
    createdAt: toMillis(r.created_at)!,
    createdBy: r.created_by,
    revokedAt: toMillis(r.revoked_at),
    lastUsedAt: toMillis(r.last_used_at),
  };
}
