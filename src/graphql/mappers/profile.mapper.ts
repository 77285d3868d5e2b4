import type { Profile } from '../../quality/profile/profile';
import type { ColumnProfile } from '../types/profile.type';

/** The stored profile without its sketches (they are for merging, not for people). */
export function toColumnProfile(p: Profile): ColumnProfile {
  return {
    name: p.name,
    kind: p.kind,
    valueKind: p.valueKind,
    count: p.count,
    nulls: p.nulls,
    distinct: p.distinct,
    min: p.min,
    max: p.max,
    mean: p.mean,
    stddev: p.stddev,
    quantiles: Object.entries(p.quantiles ?? {}).map(([name, value]) => ({
      name,
      q: Number(name.slice(1)) / 100,
      value,
    })),
    histogram: p.histogram ?? [],
    topValues: p.topValues ?? [],
  };
}
