/**
 * The contract registry: registers parsed contracts, all or nothing. A
 * (name, version) never changes once stored; a new version must bump as its changes
 * demand (checked against the nearest lower registered version). Applying makes a
 * version active in `dev`; promotion moves it up (see promotion in a later module).
 */
import semver from 'semver';
import { checkName, checkVersion } from '../lib/identifiers';
import type { Logger } from 'pino';
import { ConflictError, NotFoundError, InputError } from '../errors';
import type { Clock } from '../clock';
import type { Environment } from '../domain/environment';
import type { Store, Repositories } from '../store/store';
import type { ParsedContract } from '../domain/contract';
import type { RegisteredContract, ActiveVersion } from '../domain/registered-contract';
import { diffContracts, type ContractChange } from './compatibility';
import { checkBump } from './version-bump';

export interface CompatibilityReport {
  /** The version compared against; null for the first version of a contract. */
  against: string | null;
  changes: ContractChange[];
  requiredBump: string;
  verdict: string;
}

export interface ApplyOutcome {
  name: string;
  version: string;
  hash: string;
  status: 'registered' | 'unchanged';
  compatibility: CompatibilityReport;
}

/** How long another instance's promotion may take to be seen here. */
const ACTIVE_TTL_MS = 1_000;

export class ContractRegistry {
  private readonly versions = new Map<string, RegisteredContract>();
  private readonly active = new Map<string, { at: number; list: ActiveVersion[] }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Registers every contract or none. Refuses (ConflictError listing every problem)
   * when a registered version would change content or a bump does not match.
   */
  async apply(parsed: ParsedContract[], actor: string): Promise<ApplyOutcome[]> {
    const ordered = [...parsed].sort((a, b) => byNameThenVersion(a, b));
    const outcomes = await this.store.transaction(async (tx) => {
      const known = new Map<string, RegisteredContract[]>();
      const outcomes: ApplyOutcome[] = [];
      const problems: string[] = [];
      for (const p of ordered) {
        const versions = known.get(p.contract.name) ?? (await tx.contracts.listVersions(p.contract.name));
        known.set(p.contract.name, versions);
        const outcome = this.assess(p, versions, problems);
        if (!outcome) continue;
        outcomes.push(outcome);
        if (outcome.status === 'registered') versions.push(this.asRegistered(p, actor));
      }
      if (problems.length > 0) {
        throw new ConflictError(`nothing was applied:\n  ${problems.join('\n  ')}`, { problems });
      }
      this.invalidate();
      for (const o of outcomes.filter((x) => x.status === 'registered')) {
        await this.register(
          tx,
          ordered.find((p) => p.contract.name === o.name && p.contract.version === o.version)!,
          actor,
          o,
        );
      }
      return outcomes;
    });
    // Also after commit: a read during the transaction may have cached the old state.
    this.invalidate();
    return outcomes;
  }

  private assess(p: ParsedContract, versions: RegisteredContract[], problems: string[]): ApplyOutcome | null {
    const { name, version } = p.contract;
    const same = versions.find((v) => v.version === version);
    if (same) {
      if (same.hash === p.hash)
        return { name, version, hash: p.hash, status: 'unchanged', compatibility: unchanged(version) };
      problems.push(
        `${p.file}: ${name}@${version} is already registered with different content (hash ${same.hash.slice(0, 12)}); ` +
          `a registered version is immutable: bump the version`,
      );
      return null;
    }
    const previous = versions
      .filter((v) => semver.lt(v.version, version))
      .sort((a, b) => semver.rcompare(a.version, b.version))[0];
    if (!previous) {
      return { name, version, hash: p.hash, status: 'registered', compatibility: firstVersion() };
    }
    const changes = diffContracts(previous.contract, p.contract);
    const verdict = checkBump(previous.contract, p.contract, changes);
    if (!verdict.ok) problems.push(`${p.file}: ${name}@${version}: ${verdict.reason}`);
    return {
      name,
      version,
      hash: p.hash,
      status: 'registered',
      compatibility: {
        against: previous.version,
        changes,
        requiredBump: verdict.required,
        verdict: verdict.reason,
      },
    };
  }

  private asRegistered(p: ParsedContract, actor: string): RegisteredContract {
    return {
      name: p.contract.name,
      version: p.contract.version,
      major: semver.major(p.contract.version),
      hash: p.hash,
      owner: p.contract.owner,
      contract: p.contract,
      yaml: p.text,
      createdAt: this.clock.now(),
      createdBy: actor,
    };
  }

  private async register(tx: Repositories, p: ParsedContract, actor: string, o: ApplyOutcome): Promise<void> {
    const now = this.clock.now();
    const reg = this.asRegistered(p, actor);
    await tx.contracts.insertVersion(reg);
    const active = (await tx.contracts.activeVersions({ name: reg.name, environment: 'dev' })).find(
      (a) => a.major === reg.major,
    );
    // A new version becomes the one in use in dev, unless dev already runs a newer one of its major.
    if (!active || semver.gt(reg.version, active.version)) {
      await tx.contracts.insertPromotion({
        contractName: reg.name,
        version: reg.version,
        environment: 'dev',
        fromEnvironment: null,
        state: 'active',
        createdAt: now,
        createdBy: actor,
        reason: 'applied',
      });
    }
    await tx.audit.append({
      at: now,
      actor,
      action: 'contract.apply',
      targetKind: 'contract',
      targetId: `${reg.name}@${reg.version}`,
      environment: 'dev',
      before: active ? { activeVersion: active.version } : null,
      after: { version: reg.version, hash: reg.hash },
      details: {
        compatibility: { against: o.compatibility.against, changes: o.compatibility.changes.length },
      },
    });
    this.logger.info(
      { contract: reg.name, version: reg.version, hash: reg.hash, actor },
      'contract registered',
    );
  }

  /** A registered version; `version` may be exact (1.2.0), a major (1) or absent (newest active in env). */
  async resolve(
    name: string,
    version: string | undefined,
    environment: Environment,
  ): Promise<RegisteredContract> {
    checkName(name);
    checkVersion(version);
    if (version && semver.valid(version)) {
      const found = await this.version(name, version);
      if (!found) throw new NotFoundError(`contract ${name}@${version} is not registered`);
      return found;
    }
    if (version && !/^\d+$/.test(version)) {
      throw new InputError(`version must be a semantic version (1.2.0) or a major (1); got '${version}'`);
    }
    const active = (await this.activeIn(name, environment)).filter(
      (a) => version === undefined || a.major === Number(version),
    );
    if (active.length === 0) {
      const any = await this.store.contracts.listVersions(name);
      if (any.length === 0) throw new NotFoundError(`contract '${name}' is not registered`);
      const what = version === undefined ? '' : ` major ${version}`;
      throw new NotFoundError(`contract '${name}'${what} has no active version in ${environment}`);
    }
    return (await this.version(name, active[0]!.version))!;
  }

  /** A registered (name, version) never changes, so it is cached for good once read. */
  private async version(name: string, version: string): Promise<RegisteredContract | null> {
    const key = `${name}@${version}`;
    const hit = this.versions.get(key);
    if (hit) return hit;
    const found = await this.store.contracts.findVersion(name, version);
    if (found) this.versions.set(key, found);
    return found;
  }

  /**
   * Active versions per (contract, environment), cached briefly: every online read
   * resolves its contract, and promotions are rare. Changes made through this
   * process invalidate at once; other instances' changes are seen within the TTL.
   */
  private async activeIn(name: string, environment: Environment): Promise<ActiveVersion[]> {
    const key = `${name}\u0000${environment}`;
    const hit = this.active.get(key);
    if (hit && Date.now() - hit.at < ACTIVE_TTL_MS) return hit.list;
    const list = await this.store.contracts.activeVersions({ name, environment });
    this.active.set(key, { at: Date.now(), list });
    return list;
  }

  /** Forget cached active versions (after apply, promote or retire). */
  invalidate(): void {
    this.active.clear();
  }

  async list(environment?: Environment): Promise<RegisteredContract[]> {
    const all = await this.store.contracts.listVersions();
    if (!environment) return all;
    const active = new Set((await this.store.contracts.activeVersions({ environment })).map(key));
    return all.filter((c) => active.has(key(c)));
  }

  activeVersions(filter: { name?: string; environment?: Environment } = {}): Promise<ActiveVersion[]> {
    return this.store.contracts.activeVersions(filter);
  }
}

const key = (c: { name: string; version: string }) => `${c.name}@${c.version}`;

function byNameThenVersion(a: ParsedContract, b: ParsedContract): number {
  return (
    a.contract.name.localeCompare(b.contract.name) || semver.compare(a.contract.version, b.contract.version)
  );
}

function unchanged(version: string): CompatibilityReport {
  return {
    against: version,
    changes: [],
    requiredBump: 'none',
    verdict: 'already registered with the same content',
  };
}

function firstVersion(): CompatibilityReport {
  return { against: null, changes: [], requiredBump: 'none', verdict: 'first version of this contract' };
}
