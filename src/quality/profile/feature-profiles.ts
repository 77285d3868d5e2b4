/**
 * Profiles of a run's features, taken while the commit seals the feature rows
 * (pipeline/sealed-rows.ts reads every row once anyway): no walk of their own.
 */
import type { FeatureRow } from '../../domain/rows';
import { Profiler, type Profile } from './profile';

export class FeatureProfiles {
  private readonly names: string[];
  private readonly profilers: Profiler[];

  constructor(names: readonly string[]) {
    this.names = [...names];
    this.profilers = this.names.map((n) => new Profiler(n, 'feature'));
  }

  get size(): number {
    return this.names.length;
  }

  observe(row: FeatureRow): void {
    const values = row.values;
    for (let f = 0; f < this.names.length; f++) this.profilers[f]!.add(values[this.names[f]!] ?? null);
  }

  finish(): Profile[] {
    return this.profilers.map((p) => p.finish());
  }
}
