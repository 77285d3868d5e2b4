/**
 * Contract changes and what they set in motion. Applying or promoting a version
 * registers it (registry, promotion policy), then — when the contract's policy says
 * `onNewVersion: backfill` — reprocesses the kept raw batches under it in that
 * environment, and tells listeners (the scheduler, stream consumers) to refresh.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Environment } from '../domain/environment';
import type { Store } from '../store/store';
import type { ContractRegistry, ApplyOutcome } from '../contracts/registry';
import { PromotionService, type PromotionResult } from '../contracts/promotion';
import type { ParsedContract } from '../domain/contract';
import type { RegisteredContract } from '../domain/registered-contract';
import type { RunExecutor } from '../pipeline/executor';
import type { Run } from '../domain/run';
import type { RunDispatcher } from './dispatcher';

export type ContractsChanged = () => void;

export interface LifecycleDeps {
  store: Store;
  registry: ContractRegistry;
  executor: RunExecutor;
  dispatcher: RunDispatcher;
  clock: Clock;
  logger: Logger;
}

export class ContractLifecycle {
  private readonly promotion: PromotionService;
  private readonly listeners = new Set<ContractsChanged>();

  constructor(private readonly deps: LifecycleDeps) {
    this.promotion = new PromotionService(deps);
  }

  onChange(listener: ContractsChanged): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async apply(parsed: ParsedContract[], actor: string): Promise<ApplyOutcome[]> {
    const outcomes = await this.deps.registry.apply(parsed, actor);
    const fresh = outcomes.filter((o) => o.status === 'registered');
    if (fresh.length === 0) return outcomes;
    const active = await this.deps.registry.activeVersions({ environment: 'dev' });
    for (const o of fresh) {
      if (!active.some((a) => a.name === o.name && a.version === o.version)) continue;
      await this.backfillIfWanted(o.name, o.version, 'dev', actor);
    }
    this.changed();
    return outcomes;
  }

  async promote(name: string, version: string, to: string, actor: string): Promise<PromotionResult> {
    const result = await this.promotion.promote(name, version, to, actor);
    await this.backfillIfWanted(name, version, result.to, actor);
    this.changed();
    return result;
  }

  private async backfillIfWanted(
    name: string,
    version: string,
    env: Environment,
    actor: string,
  ): Promise<void> {
    const contract = (await this.deps.store.contracts.findVersion(name, version))!;
    if (contract.contract.policy?.onNewVersion !== 'backfill') return;
    const runs = await this.backfill(contract, env, actor);
    if (runs.length > 0) {
      this.deps.logger.info(
        { contract: name, version, environment: env, runs: runs.map((r) => r.id) },
        'backfill queued',
      );
      this.deps.dispatcher.kick(name, env);
    }
  }

  /**
   * Queues the backfill of `contract` in `env`: every succeeded run of its major is
   * reprocessed under it (each supersedes its parent when it commits), and raw
   * batches no run of that major has read yet are run once, oldest first.
   */
  async backfill(contract: RegisteredContract, env: Environment, actor: string): Promise<Run[]> {
    const prior = await this.deps.store.runs.list(
      { contract: contract.name, environment: env, status: 'succeeded' },
      10_000,
    );
    const sameMajor = prior.runs
      .filter((r) => r.contractMajor === contract.major && r.contractVersion !== contract.version)
      .reverse();
    const queued: Run[] = [];
    for (const parent of sameMajor) {
      const rawBatches = await this.deps.store.rawBatches.forRun(parent.id);
      queued.push(await this.enqueue(contract, env, actor, rawBatches, parent.id));
    }
    const all = await this.deps.store.rawBatches.forContract(contract.name);
    const read = await this.deps.store.rawBatches.readIn(
      all.map((b) => b.id),
      env,
      contract.major,
    );
    const unread = all.filter((b) => !read.has(b.id));
    if (unread.length > 0) queued.push(await this.enqueue(contract, env, actor, unread, null));
    if (queued.length > 0) {
      await this.deps.store.audit.append({
        at: this.deps.clock.now(),
        actor,
        action: 'contract.backfill',
        targetKind: 'contract',
        targetId: `${contract.name}@${contract.version}`,
        environment: env,
        before: null,
        after: { runs: queued.map((r) => r.id) },
        details: { reprocessed: sameMajor.length, newBatches: unread.length },
      });
    }
    return queued;
  }

  private enqueue(
    contract: RegisteredContract,
    env: Environment,
    actor: string,
    rawBatches: Awaited<ReturnType<Store['rawBatches']['forRun']>>,
    parentRunId: string | null,
  ): Promise<Run> {
    return this.deps.executor.enqueue({
      contract,
      environment: env,
      trigger: 'backfill',
      rawBatches,
      actor: `system:backfill (${actor})`,
      parentRunId,
    });
  }

  private changed(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch (err) {
        this.deps.logger.error({ err }, 'contracts-changed listener failed');
      }
    }
  }
}
