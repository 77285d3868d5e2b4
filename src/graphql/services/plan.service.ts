/** planContract for GraphQL: the core plan, with its text, shaped for the schema. */
import type { Runtime } from '../../runtime';
import { parseEnvironment } from '../../config';
import { planContract } from '../../contracts/plan/plan';
import { renderPlanText } from '../../contracts/plan/plan-text';
import type { ContractPlan } from '../types/plan.type';

export class PlanService {
  constructor(private readonly rt: Pick<Runtime, 'store' | 'rawStore' | 'config'>) {}

  async plan(yaml: string, runs?: number, environment?: string): Promise<ContractPlan> {
    const env = environment ? parseEnvironment(environment) : this.rt.config.defaultEnvironment;
    const plan = await planContract({ store: this.rt.store, rawStore: this.rt.rawStore }, yaml, {
      environment: env,
      runs,
    });
    return {
      ...plan,
      runsReplayed: plan.runs.length,
      proposedMs: plan.timing.proposedMs,
      activeMs: plan.timing.activeMs,
      text: renderPlanText(plan),
      report: plan,
    };
  }
}
