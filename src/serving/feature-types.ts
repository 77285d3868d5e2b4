/**
 * The value type of each feature of a contract, for typed feature lists, in the column
 * type spelling (`integer`, `number`, …) these lists have always used; the types
 * themselves are contracts/feature-type.ts's, declared or inferred.
 */
import type { Contract, ColumnType } from '../contracts/contract.types';
import { columnTypeOfFeature, typeFeatures } from '../contracts/feature-type';

export type FeatureValueType = ColumnType;

export function featureTypes(contract: Contract): Map<string, FeatureValueType> {
  return new Map(typeFeatures(contract).features.map((f) => [f.name, columnTypeOfFeature(f.type)] as const));
}
