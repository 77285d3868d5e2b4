/** What the feature resolvers call: bounds checked here, the read path in serving/. */
import type { Runtime } from '../../runtime';
import { parseEnvironment } from '../../config';
import { LIMITS, bounded } from '../limits';
import { InputError } from '../../errors';
import type { FeatureVector } from '../types/feature.type';
import type { EntityTimestampInput } from '../types/feature.type';

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
    environment?: string;
  }): Promise<FeatureVector[]> {
    return this.rt.features.trainingSet({
      ...a,
      rows: bounded(a.rows, LIMITS.maxTrainingRows, 'rows'),
      environment: a.environment ? parseEnvironment(a.environment) : this.rt.config.defaultEnvironment,
    });
  }
}
