/**
 * Promotion: a registered version moves up one environment (dev → test → prod)
 * only when the policy holds. Each refusal names the rule that failed:
 *   promotion.order            target is not the next environment up, or the version is not active below
 *   promotion.no-succeeded-run no succeeded run of this version in the environment below
 *   promotion.failed-validation that run's validation report has a failing blocking expectation
 *   promotion.breaking-change  breaking changes against the target's version without a major bump
 *   promotion.already-active   the version is already active in the target
 */
import semver from 'semver';
import { checkName, checkVersion } from '../lib/identifiers';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import { ENVIRONMENTS, type Environment } from '../domain/environment';
import { ContractViolationError, ConflictError, InputError } from '../errors';
import type { Store } from '../store/store';
import type { ContractRegistry } from './registry';
import type { RegisteredContract } from '../domain/registered-contract';
import { diffContracts } from './compatibility';

export interface PromotionResult {
  contract: RegisteredContract;
  from: Environment;
  to: Environment;
  replaced: string | null;
}

export class PromotionService {
  constructor(
    private readonly deps: { store: Store; registry: ContractRegistry; clock: Clock; logger: Logger },
  ) {}

  async promote(name: string, version: string, to: string, actor: string): Promise<PromotionResult> {
    const target = parseTarget(to);
    const from = ENVIRONMENTS[ENVIRONMENTS.indexOf(target) - 1]!;
    checkName(name);
    checkVersion(version);
    if (!semver.valid(version)) throw new InputError(`version must be a semantic version; got '${version}'`);
    const contract = await this.deps.registry.resolve(name, version, from);
    const activeBelow = await this.deps.registry.activeVersions({ name, environment: from });
    if (!activeBelow.some((a) => a.version === version)) {
      refuse('promotion.order', `${name}@${version} is not active in ${from}; promote it there first`);
    }
    const inTarget = await this.deps.registry.activeVersions({ name, environment: target });
    if (inTarget.some((a) => a.version === version)) {
      throw new ConflictError(`${name}@${version} is already active in ${target}`, {
        rule: 'promotion.already-active',
      });
    }
    await this.checkRuns(contract, from);
    const replaced = this.checkCompatibility(
      contract,
      inTarget.map((a) => a.version),
      await this.versions(name),
    );
    await this.record(contract, from, target, replaced, actor);
    return { contract, from, to: target, replaced };
  }

  private async checkRuns(c: RegisteredContract, from: Environment): Promise<void> {
    // Filtered by version in the query: runs of other versions must not crowd it out of a page.
    const page = await this.deps.store.runs.list(
      { contract: c.name, contractVersion: c.version, environment: from, status: 'succeeded' },
      1,
    );
    const latest = page.runs[0];
    if (!latest) {
      refuse(
        'promotion.no-succeeded-run',
        `${c.name}@${c.version} has no succeeded run in ${from}; run it there first`,
      );
    }
    const failing = (latest.validation?.results ?? []).filter((r) => !r.success && r.severity === 'fail');
    if (latest.validation && (!latest.validation.success || failing.length > 0)) {
      refuse(
        'promotion.failed-validation',
        `run ${latest.id} of ${c.name}@${c.version} in ${from} has failing blocking expectations: ${failing.map((f) => f.expect).join(', ')}`,
      );
    }
  }

  /** Compares with the target's nearest lower version of the same major; returns what it replaces. */
  private checkCompatibility(
    c: RegisteredContract,
    activeInTarget: string[],
    all: RegisteredContract[],
  ): string | null {
    const sameMajor =
      activeInTarget.filter((v) => semver.major(v) === c.major).sort(semver.rcompare)[0] ?? null;
    if (!sameMajor) return null;
    if (semver.gt(sameMajor, c.version)) {
      refuse(
        'promotion.order',
        `${c.name}@${sameMajor} is already active in the target; ${c.version} would go backwards`,
      );
    }
    const base = all.find((v) => v.version === sameMajor)!;
    const breaking = diffContracts(base.contract, c.contract).filter((ch) => ch.class === 'breaking');
    if (breaking.length > 0) {
      refuse(
        'promotion.breaking-change',
        `${c.name}@${c.version} breaks ${sameMajor} without a major bump: ${breaking.map((b) => b.message).join('; ')}`,
      );
    }
    return sameMajor;
  }

  private versions(name: string): Promise<RegisteredContract[]> {
    return this.deps.store.contracts.listVersions(name);
  }

  private async record(
    c: RegisteredContract,
    from: Environment,
    to: Environment,
    replaced: string | null,
    actor: string,
  ): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.store.transaction(async (tx) => {
      await tx.contracts.insertPromotion({
        contractName: c.name,
        version: c.version,
        environment: to,
        fromEnvironment: from,
        state: 'active',
        createdAt: now,
        createdBy: actor,
        reason: 'promoted',
      });
      await tx.audit.append({
        at: now,
        actor,
        action: 'contract.promote',
        targetKind: 'contract',
        targetId: `${c.name}@${c.version}`,
        environment: to,
        before: replaced ? { activeVersion: replaced } : null,
        after: { activeVersion: c.version },
        details: { from },
      });
    });
    this.deps.registry.invalidate();
    this.deps.logger.info({ contract: c.name, version: c.version, from, to, actor }, 'contract promoted');
  }
}

function parseTarget(to: string): Environment {
  const i = (ENVIRONMENTS as readonly string[]).indexOf(to);
  if (i < 0) throw new InputError(`to must be one of ${ENVIRONMENTS.join(', ')}; got '${to}'`);
  if (i === 0)
    throw new InputError(`contracts are registered in dev by applying them; promote to test or prod`);
  return to as Environment;
}

function refuse(rule: string, message: string): never {
  throw new ContractViolationError(`promotion refused (${rule}): ${message}`, { rule });
}
