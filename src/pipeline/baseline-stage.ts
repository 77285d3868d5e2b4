/**
 * Before validation: the baseline of each drift expectation (distribution_stable,
 * null_rate_stable), merged from the stored profiles of the runs it names. Only
 * committed runs have profiles, so a failed or rolled-back run never serves as one.
 */
import type { Repositories } from '../store/store';
import type { CompiledChecks } from '../quality/checks.types';
import { DEFAULT_BASELINE, describeBaseline, type Baseline } from '../quality/profile/baseline';
import { mergeProfiles } from '../quality/profile/profile';

const DRIFT = new Set(['distribution_stable', 'null_rate_stable']);

export async function loadBaselines(
  store: Repositories,
  run: { id: string; contractName: string; environment: string },
  checks: CompiledChecks,
): Promise<Map<number, Baseline>> {
  const out = new Map<number, Baseline>();
  for (const [index, check] of checks.checks.entries()) {
    const spec = check.spec;
    if (!DRIFT.has(spec.expect) || spec.column === undefined) continue;
    const chosen = spec.baseline ?? DEFAULT_BASELINE;
    const ref = {
      contract: run.contractName,
      environment: run.environment,
      kind: 'column' as const,
      name: spec.column,
    };
    const points = await store.profiles.baseline(ref, chosen, run.id);
    out.set(index, {
      profile: mergeProfiles(points.map((p) => p.profile)),
      runIds: points.map((p) => p.runId),
      description: describeBaseline(chosen),
    });
  }
  return out;
}
