/** Contract versions and their promotions between environments. */
import type { Knex } from 'knex';
import semver from 'semver';
import { T } from './tables';
import type { ReadStatements } from './read-statements';
import { fromJson, toMillis } from './dialect';
import type { Contract } from '../domain/contract';
import type { ActiveVersion, Promotion, RegisteredContract } from '../domain/registered-contract';
import type { Environment } from '../domain/environment';

interface DbContractVersionRow {
  id: number;
  name: string;
  version: string;
  major: number;
  minor: number;
  patch: number;
  hash: string;
  owner: string;
  yaml: string;
  spec: string;
  created_at: number | string;
  created_by: string;
}

interface DbPromotionRow {
  id: number;
  contract_name: string;
  version: string;
  environment: string;
  from_environment: string | null;
  state: string;
  created_at: number | string;
  created_by: string;
  reason: string | null;
}

export class ContractRepository {
  constructor(
    private readonly db: Knex | Knex.Transaction,
    /** The online reads' statements, for the promotions every online read resolves (feature.repository.ts). */
    private readonly reads: () => ReadStatements | null = () => null,
  ) {}

  async insertVersion(c: Omit<RegisteredContract, 'major'>): Promise<void> {
    const v = semver.parse(c.version)!;
    await this.db(T.contractVersions).insert({
      name: c.name,
      version: c.version,
      major: v.major,
      minor: v.minor,
      patch: v.patch,
      hash: c.hash,
      owner: c.owner,
      yaml: c.yaml,
      spec: JSON.stringify(c.contract),
      created_at: c.createdAt,
      created_by: c.createdBy,
    });
  }

  async findVersion(name: string, version: string): Promise<RegisteredContract | null> {
    const row = await this.db<DbContractVersionRow>(T.contractVersions).where({ name, version }).first();
    return row ? toRegistered(row) : null;
  }

  /** All versions of a contract (or of every contract), newest semver first. */
  async listVersions(name?: string): Promise<RegisteredContract[]> {
    const q = this.db<DbContractVersionRow>(T.contractVersions);
    if (name) q.where({ name });
    const rows = await q;
    return rows.map(toRegistered).sort(compareNewestFirst);
  }

  async insertPromotion(p: Omit<Promotion, 'id'>): Promise<void> {
    await this.db(T.promotions).insert({
      contract_name: p.contractName,
      version: p.version,
      environment: p.environment,
      from_environment: p.fromEnvironment,
      state: p.state,
      created_at: p.createdAt,
      created_by: p.createdBy,
      reason: p.reason,
    });
  }

  async listPromotions(filter: { name?: string; environment?: Environment } = {}): Promise<Promotion[]> {
    const q = this.db<DbPromotionRow>(T.promotions).orderBy('id', 'asc');
    if (filter.name) q.where('contract_name', filter.name);
    if (filter.environment) q.where('environment', filter.environment);
    // Beside the writer: on SQLite a run's transaction holds the pooled connection for seconds.
    const reads = this.reads();
    if (!reads) return (await q).map(toPromotion);
    const { sql, bindings } = q.toSQL();
    return (await reads.all<DbPromotionRow>(sql, [...bindings])).map(toPromotion);
  }

  /**
   * The version in use per (environment, contract, major): the latest promotion row
   * of that major decides, and a `retired` row withdraws it. Majors live side by side.
   */
  async activeVersions(filter: { name?: string; environment?: Environment } = {}): Promise<ActiveVersion[]> {
    const latest = new Map<string, Promotion>();
    for (const p of await this.listPromotions(filter)) {
      latest.set(`${p.environment}\u0000${p.contractName}\u0000${semver.major(p.version)}`, p);
    }
    return [...latest.values()]
      .filter((p) => p.state === 'active')
      .map((p) => ({
        environment: p.environment,
        name: p.contractName,
        version: p.version,
        major: semver.major(p.version),
        since: p.createdAt,
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || semver.rcompare(a.version, b.version));
  }
}

function toRegistered(r: DbContractVersionRow): RegisteredContract {
  return {
    name: r.name,
    version: r.version,
    major: r.major,
    hash: r.hash,
    owner: r.owner,
    contract: fromJson<Contract>(r.spec)!,
    yaml: r.yaml,
    createdAt: toMillis(r.created_at)!,
    createdBy: r.created_by,
  };
}

function toPromotion(r: DbPromotionRow): Promotion {
  return {
    id: r.id,
    contractName: r.contract_name,
    version: r.version,
    environment: r.environment as Environment,
    fromEnvironment: r.from_environment as Environment | null,
    state: r.state as Promotion['state'],
    createdAt: toMillis(r.created_at)!,
    createdBy: r.created_by,
    reason: r.reason,
  };
}

function compareNewestFirst(a: RegisteredContract, b: RegisteredContract): number {
  return a.name.localeCompare(b.name) || semver.rcompare(a.version, b.version);
}
