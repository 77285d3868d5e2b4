/**
 * The profile stage: what a run stores about its accepted rows (run_profiles).
 *
 * Columns are profiled by validation, in the same pass as its checks (quality/validate.ts,
 * over the typed column arrays; a column a check already profiled is not walked again).
 * Features are profiled while the commit seals their rows (sealed-rows.ts reads every
 * row once anyway), so this stage adds no walk of its own: it only wires the two together.
 * A feature that only copies a schema column holds that column's values for the same
 * rows: it takes the column's profile under its own name instead of profiling them again.
 */
import type { Profile } from '../quality/profile/profile';
import { FeatureProfiles } from '../quality/profile/feature-profiles';
import type { FeatureRow } from '../domain/rows';
import type { FeatureSpec } from '../domain/contract';

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
  features: readonly FeatureSpec[],
  columnProfiles: readonly Profile[],
): ProfileStage {
  if (!enabled) return { observe: undefined, profiles: () => [...columnProfiles] };
  const byColumn = new Map(columnProfiles.map((p) => [p.name, p]));
  const copies = columnCopies(features, new Set(byColumn.keys()));
  const profiled = new FeatureProfiles(features.map((f) => f.name).filter((n) => !copies.has(n)));
  return {
    observe: profiled.size > 0 ? (row) => profiled.observe(row) : undefined,
    profiles: () => {
      const own = new Map(profiled.finish().map((p) => [p.name, p]));
      const out = [...columnProfiles];
      for (const f of features) {
        const column = copies.get(f.name);
        out.push(
          column === undefined
            ? own.get(f.name)!
            : { ...byColumn.get(column)!, name: f.name, kind: 'feature' },
        );
      }
      return out;
    },
  };
}

/**
 * Features whose values are a profiled column's, row for row: `column:` naming that
 * column, or naming an earlier feature that is itself such a copy. A `column:` naming an
 * earlier feature computed otherwise copies that feature (the transform reads earlier
 * features before schema columns), so it is profiled like any feature.
 */
export function columnCopies(
  features: readonly FeatureSpec[],
  columns: ReadonlySet<string>,
): Map<string, string> {
  const copies = new Map<string, string>();
  const earlier = new Set<string>();
  for (const f of features) {
    if (f.column !== undefined) {
      const source = earlier.has(f.column)
        ? copies.get(f.column)
        : columns.has(f.column)
          ? f.column
          : undefined;
      if (source !== undefined) copies.set(f.name, source);
    }
    earlier.add(f.name);
  }
  return copies;
}
