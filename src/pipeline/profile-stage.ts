/**
 * The profile stage: what a run stores about its accepted rows (run_profiles).
 *
 * Columns are profiled by validation, in the same pass as its checks (quality/validate.ts,
 * over the typed column arrays; a column a check already profiled is not walked again).
 * Features are profiled while the commit seals their rows (sealed-rows.ts reads every
 * row once anyway), so this stage adds no walk of its own: it only wires the two together.
 */
import type { Profile } from '../quality/profile/profile';
import { FeatureProfiles } from '../quality/profile/feature-profiles';
import type { FeatureRow } from '../domain/rows';

export interface ProfileStage {
  /** Called for every sealed feature row; undefined when profiling is off. */
  observe: ((row: FeatureRow) => void) | undefined;
  /** Every profile of the run: complete once the commit has sealed every row. */
  profiles: () => Profile[];
}

/**
 * `enabled` is false only for the benchmark that measures what profiling costs
 * (bench/cases/profile.ts): a run without profiles has nothing for drift checks to compare.
 */
export function profileStage(
  enabled: boolean,
  featureNames: readonly string[],
  columnProfiles: readonly Profile[],
): ProfileStage {
  if (!enabled) return { observe: undefined, profiles: () => [...columnProfiles] };
  const features = new FeatureProfiles(featureNames);
  return {
    observe: (row) => features.observe(row),
    profiles: () => [...columnProfiles, ...features.finish()],
  };
}
