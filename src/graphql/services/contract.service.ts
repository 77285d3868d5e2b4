/** What the contract resolvers call: registry reads shaped for GraphQL. */
import type { Runtime } from '../../runtime';
import type { Environment } from '../../domain/environment';
import { NotFoundError } from '../../errors';
import { toContractType } from '../mappers/contract.mapper';
import type { Contract } from '../types/contract.type';
import type { RegisteredContract } from '../../domain/registered-contract';
import { parseContractInSlices } from '../../contracts/parse';
import type { ApplyResult, ContractDiff } from '../types/apply.type';
import { diffContracts } from '../../contracts/compatibility';
import { checkBump } from '../../contracts/version-bump';
import { checkName, checkVersion } from '../../lib/identifiers';

export class ContractService {
  constructor(
    private readonly rt: Pick<Runtime, 'registry' | 'store' | 'config' | 'contracts'>,
    /** Awaited before answering, so the caller's next operation sees the new typed views. */
    private readonly changed: () => Promise<void> = async () => {},
  ) {}

  /**
   * Same rules as `tidemark contracts apply`: immutable versions, bump checked, all or
   * nothing. Read in slices: a large contract must not stall the other requests.
   */
  async apply(yaml: string, actor: string): Promise<ApplyResult> {
    const parsed = await parseContractInSlices(yaml, 'applyContract.yaml');
    const [outcome] = await this.rt.contracts.apply([parsed], actor);
    await this.changed();
    const registered = (await this.rt.store.contracts.findVersion(outcome!.name, outcome!.version))!;
    const [contract] = await this.shape([registered]);
    return { contract: contract!, status: outcome!.status, compatibility: outcome!.compatibility };
  }

  async promote(name: string, version: string, to: string, actor: string): Promise<Contract> {
    const result = await this.rt.contracts.promote(name, version, to, actor);
    await this.changed();
    return (await this.shape([result.contract]))[0]!;
  }

  /**
   * Every change from version `from` to version `to` with the bump it needs, by the
   * same rules `applyContract` checks a new version against the one before it.
   * Either order: `from` newer than `to` reads as a downgrade.
   */
  async diff(name: string, from: string, to: string): Promise<ContractDiff> {
    checkName(name);
    checkVersion(from);
    checkVersion(to);
    const [a, b] = await Promise.all([
      this.rt.store.contracts.findVersion(name, from),
      this.rt.store.contracts.findVersion(name, to),
    ]);
    for (const [v, found] of [
      [from, a],
      [to, b],
    ] as const) {
      if (!found) throw new NotFoundError(`contract ${name}@${v} is not registered`);
    }
    const changes = diffContracts(a!.contract, b!.contract);
    const verdict = checkBump(a!.contract, b!.contract, changes);
    const [fromType, toType] = await this.shape([a!, b!]);
    return {
      name,
      from: fromType!,
      to: toType!,
      requiredBump: verdict.required,
      actualBump: verdict.actual,
      bumpOk: verdict.ok,
      verdict: verdict.reason,
      changes,
    };
  }

  async list(environment?: Environment): Promise<Contract[]> {
    const versions = await this.rt.registry.list(environment);
    return this.shape(versions);
  }

  async get(name: string, version?: string): Promise<Contract | null> {
    try {
      const found = await this.rt.registry.resolve(name, version, this.rt.config.defaultEnvironment);
      return (await this.shape([found]))[0] ?? null;
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  /** One query each for versions, promotions and active versions, whatever the list size. */
  private async shape(list: RegisteredContract[]): Promise<Contract[]> {
    if (list.length === 0) return [];
    const [all, promotions, active] = await Promise.all([
      this.rt.store.contracts.listVersions(),
      this.rt.store.contracts.listPromotions(),
      this.rt.registry.activeVersions(),
    ]);
    return list.map((c) =>
      toContractType(c, {
        versions: all.filter((v) => v.name === c.name).map((v) => v.version),
        promotions,
        active,
      }),
    );
  }
}
