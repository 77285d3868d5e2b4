/** What the feature resolvers call: bounds checked here, the read path in serving/. */
import type { Runtime } from '../../runtime';
import { parseEnvironment } from '../../config';
import { LIMITS, bounded } from '../limits';
import { InputError } from '../../errors';
import type { FeatureVector } from '../types/feature.type';
import type { EntityTimestampInput } from '../types/feature.type';
import type { TrainingViewInput } from '../types/training-set.type';
import type { TrainingRow } from '../../serving/training-rows';
import { given } from '../given';

export class FeatureGraphService {
  constructor(private readonly rt: Runtime) {}

  async features(a: {
    contract: string;
    version?: string;
    entities: unknown[];
    features?: string[];
    asOf?: Date;
    knownAt?: Date;
    environment?: string;
  }): Promise<FeatureVector[]> {
    return this.rt.features.features({
      ...a,
      entities: bounded(a.entities, LIMITS.maxEntities, 'entities'),
      environment: a.environment ? parseEnvironment(a.environment) : this.rt.config.defaultEnvironment,
    });
  }

  async history(a: {
    contract: string;
    version?: string;
    entity: unknown;
    features?: string[];
    knownAt?: Date;
    first?: number;
    environment?: string;
  }): Promise<FeatureVector[]> {
    const first = a.first ?? 200;
    if (first < 1 || first > LIMITS.maxPage)
      throw new InputError(`first must be between 1 and ${LIMITS.maxPage}`);
    return this.rt.features.history({
      ...a,
      first,
      environment: a.environment ? parseEnvironment(a.environment) : this.rt.config.defaultEnvironment,
    });
  }

  async trainingSet(a: {
    contract: string;
    version?: string;
    rows: EntityTimestampInput[];
    features?: string[];
    ttl?: string;
    knownAt?: Date;
    environment?: string;
  }): Promise<FeatureVector[]> {
    return this.rt.features.trainingSet({
      ...a,
      rows: bounded(a.rows, LIMITS.maxTrainingRows, 'rows'),
      environment: a.environment ? parseEnvironment(a.environment) : this.rt.config.defaultEnvironment,
    });
  }

  async trainingSetMulti(a: {
    rows: EntityTimestampInput[];
    features?: string[];
    views?: TrainingViewInput[];
    knownAt?: Date;
    fullFeatureNames?: boolean;
    environment?: string;
  }): Promise<TrainingRow[]> {
    const rows = bounded(a.rows, LIMITS.maxTrainingRows, 'rows');
    return this.rt.features.trainingSetMulti(
      {
        features: a.features,
        views: a.views?.map((v) => ({
          contract: v.contract,
          version: given(v.version),
          features: given(v.features),
          ttl: given(v.ttl),
          keyMap: v.keyMap ? keyMap(v.contract, v.keyMap) : undefined,
        })),
        knownAt: a.knownAt,
        fullFeatureNames: a.fullFeatureNames,
        environment: a.environment ? parseEnvironment(a.environment) : this.rt.config.defaultEnvironment,
      },
      rows.map((r) => ({ entity: r.entity, at: r.timestamp.getTime() })),
    );
  }
}

function keyMap(contract: string, cols: Array<{ column: string; from: string }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of cols) {
    if (c.column in out) throw new InputError(`key mapping of ${contract} names ${c.column} twice`);
    out[c.column] = c.from;
  }
  return out;
}
