/**
 * The value type of each feature of a contract, for typed feature lists, in the column
 * type spelling (`integer`, `number`, …) these lists have always used; the types
 * themselves are contracts/feature-type.ts's, declared or inferred.
 */
import type { Contract, ColumnType } from '../domain/contract';
import { columnTypeOfFeature, typeFeatures } from './feature-type';

export type FeatureValueType = ColumnType;

/** Per contract object: the registry hands out one object per registered version, and reads call this per request. */
const cache = new WeakMap<Contract, ReadonlyMap<string, FeatureValueType>>();

export function featureTypes(contract: Contract): Map<string, FeatureValueType> {
  let types = cache.get(contract);
  if (!types) {
    types = new Map(
      typeFeatures(contract).features.map((f) => [f.name, columnTypeOfFeature(f.type)] as const),
    );
    cache.set(contract, types);
  }
  // A copy: callers own what they get.
  return new Map(types);
}
