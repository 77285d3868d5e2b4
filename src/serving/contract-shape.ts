/**
 * What the read path derives from a registered contract version (the type of each
 * key column and feature, the feature names) computed once per version rather than
 * once per request or per entity: a registered version never changes, and the
 * registry hands out the same object for it. The online `features` read shapes its
 * vectors here; `shapeVector` builds exactly what FeatureService's `shape` builds
 * (test/serving/contract-shape.test.ts compares them).
 */
import { InputError } from '../errors';
import { checkName } from '../lib/identifiers';
import type { RegisteredContract } from '../domain/registered-contract';
import type { ColumnType } from '../domain/contract';
import type { MatchedRow } from '../store/feature-rows.types';
import { entityKeyDefinition } from '../pipeline/entity-key-definition';
import { formatTemporal } from '../pipeline/coerce';
import type { Value } from '../domain/value';
import { featureTypes, type FeatureValueType } from '../contracts/served-types';
import type { FeatureValue, FeatureVector } from './feature.service';

export interface ContractShape {
  keyColumns: string[];
  keyTypes: Record<string, ColumnType>;
  types: Map<string, FeatureValueType>;
  /** Every feature, in contract order. */
  all: string[];
  /** The wanted names checked against the contract (all when none are given). */
  names(wanted: string[] | undefined): string[];
  /** A caller's entity key in its stored form; InputError names `where`. */
  key(input: unknown, where: string): string;
  vector(names: string[], entityKey: string, m: MatchedRow | null, timestamp: Date | null): FeatureVector;
}

const shapes = new WeakMap<RegisteredContract, ContractShape>();

export function contractShape(contract: RegisteredContract): ContractShape {
  let shape = shapes.get(contract);
  if (!shape) {
    shape = buildShape(contract);
    shapes.set(contract, shape);
  }
  return shape;
}

function buildShape(contract: RegisteredContract): ContractShape {
  const c = contract.contract;
  const entityKey = entityKeyDefinition(c);
  const keyColumns = entityKey.columns;
  const keyTypes = entityKey.types;
  const types = featureTypes(c);
  const all = [...types.keys()];
  const temporal = new Set(all.filter((n) => types.get(n) === 'date' || types.get(n) === 'timestamp'));
  return {
    keyColumns,
    keyTypes,
    types,
    all,
    names(wanted) {
      if (!wanted) return all;
      for (const n of wanted) checkName(n, 'feature name');
      const unknown = wanted.filter((n) => !types.has(n));
      if (unknown.length > 0) {
        throw new InputError(
          `unknown feature(s) ${unknown.join(', ')} in ${contract.name}@${contract.version}; known: ${all.join(', ')}`,
        );
      }
      return wanted;
    },
    key(input, where) {
      try {
        return entityKey.fromInput(input);
      } catch (err) {
        if (err instanceof InputError) throw new InputError(`${where}: ${err.message}`);
        throw err;
      }
    },
    vector(names, encodedKey, m, timestamp) {
      let values: Record<string, Value> | null = null;
      if (m && temporal.size === 0 && sameKeys(m.values, names)) {
        values = m.values; // already what the loop below would build: the stored row, parsed for this read
      } else if (m) {
        values = {};
        for (let i = 0; i < names.length; i++) {
          const name = names[i]!;
          let value = m.values[name] ?? null;
          if (typeof value === 'number' && temporal.has(name))
            value = formatTemporal(value, types.get(name) as 'date' | 'timestamp');
          values[name] = value;
        }
      }
      // The typed list repeats `values` name by name; most reads never ask for it, so it
      // is built on first access. An accessor in the literal keeps it an own, enumerable
      // property in its place (JSON, spread and equality see it as before) without
      // defineProperty's switch of every vector to a slow, dictionary-mode object.
      const vector = {
        entity: entityKey.decode(encodedKey),
        timestamp,
        eventTime: m ? new Date(m.eventTime) : null,
        values,
        get features(): FeatureValue[] {
          return settle(
            vector,
            names.map((name) => ({ name, type: types.get(name)!, value: values ? values[name]! : null })),
          );
        },
        set features(v: FeatureValue[]) {
          settle(vector, v);
        },
        runId: m?.runId ?? null,
        contractVersion: m?.contractVersion ?? null,
      };
      return vector;
    },
  };
}

/** Replaces the lazy accessor with the plain value, once built or assigned. */
function settle(vector: FeatureVector, features: FeatureValue[]): FeatureValue[] {
  Object.defineProperty(vector, 'features', { value: features, enumerable: true, writable: true });
  return features;
}

/**
 * Whether `values` has exactly `names` as its keys, in that order, none of them
 * undefined: then copying it name by name would give an equal object with the same key
 * order (the order the answer's JSON shows).
 */
function sameKeys(values: Record<string, Value>, names: string[]): boolean {
  let i = 0;
  for (const key in values) {
    if (key !== names[i] || values[key] === undefined) return false;
    i++;
  }
  return i === names.length;
}
