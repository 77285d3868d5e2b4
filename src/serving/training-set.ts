/**
 * The training-set side of the read path: from the caller's (entity, timestamp)
 * rows to store requests, and from the point-in-time matches to FeatureVectors.
 * A training set is tens of thousands of rows over far fewer entities, so what
 * depends only on the contract is computed once per call, key encoding and
 * decoding once per distinct key, and each vector is built in one pass with no
 * intermediate arrays. The vectors are exactly what FeatureService's `shape` builds
 * (test/serving/training-set.test.ts compares them).
 */
import { InputError } from '../errors';
import { checkName } from '../lib/identifiers';
import type { RegisteredContract } from '../domain/registered-contract';
import type { MatchedRow, PointRequest } from '../store/feature-rows.types';
import type { EntityKeyJson } from '../pipeline/entity-key';
import { entityKeyDefinition, type EntityKeyDefinition } from '../pipeline/entity-key-definition';
import { formatTemporal } from '../pipeline/coerce';
import type { Value } from '../domain/value';
import { featureTypes, type FeatureValueType } from '../contracts/served-types';
import type { FeatureValue, FeatureVector } from './feature.service';

export interface TrainingRow {
  entity: unknown;
  timestamp: Date;
}

export class TrainingShape {
  private readonly entityKey: EntityKeyDefinition;
  private readonly names: string[];
  private readonly types: FeatureValueType[];
  private readonly temporal: boolean[];
  /** Whether a stored values object holding exactly `names`, in order, can be the vector's `values`. */
  private readonly reusable: boolean;
  /** Decoded entity keys (scalars only), by stored form. */
  private readonly decoded = new Map<string, EntityKeyJson>();

  /** Throws InputError for a wanted feature the contract does not have. */
  constructor(
    private readonly contract: RegisteredContract,
    wanted: string[] | undefined,
  ) {
    const c = contract.contract;
    const types = featureTypes(c);
    const names = wanted ?? [...types.keys()];
    for (const n of names) checkName(n, 'feature name');
    const unknown = names.filter((n) => !types.has(n));
    if (unknown.length > 0) {
      throw new InputError(
        `unknown feature(s) ${unknown.join(', ')} in ${contract.name}@${contract.version}; known: ${[...types.keys()].join(', ')}`,
      );
    }
    this.entityKey = entityKeyDefinition(c);
    this.names = names;
    this.types = names.map((n) => types.get(n)!);
    this.temporal = this.types.map((t) => t === 'date' || t === 'timestamp');
    this.reusable = !this.temporal.includes(true) && new Set(names).size === names.length;
  }

  /**
   * The store requests, one per row, in row order. A key input that is a scalar is
   * encoded once per distinct value. Errors name the row, key before timestamp.
   */
  requests(rows: TrainingRow[]): PointRequest[] {
    const encoded = new Map<unknown, string>();
    const out: PointRequest[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const input = rows[i]!.entity;
      let entityKey = encoded.get(input);
      if (entityKey === undefined) {
        entityKey = this.key(input, `rows[${i}].entity`);
        if (input === null || typeof input !== 'object') encoded.set(input, entityKey);
      }
      const at = rows[i]!.timestamp.getTime();
      if (!Number.isFinite(at)) throw new InputError(`rows[${i}].timestamp is not a valid date-time`);
      out[i] = { entityKey, at };
    }
    return out;
  }

  /** The vector of one row: its request and its match (null: none). */
  vector(row: TrainingRow, request: PointRequest, m: MatchedRow | null): FeatureVector {
    let entity = this.decoded.get(request.entityKey);
    if (entity === undefined) {
      entity = this.entityKey.decode(request.entityKey);
      // A composite key decodes to an object: each vector gets its own.
      if (typeof entity !== 'object') this.decoded.set(request.entityKey, entity);
    }
    const features: FeatureValue[] = new Array(this.names.length);
    const values = m ? this.fill(m.values, features) : this.fillUnmatched(features);
    return {
      entity,
      timestamp: row.timestamp,
      eventTime: m ? new Date(m.eventTime) : null,
      values,
      features,
      runId: m ? m.runId : null,
      contractVersion: m ? m.contractVersion : null,
    };
  }

  private key(input: unknown, where: string): string {
    try {
      return this.entityKey.fromInput(input);
    } catch (err) {
      if (err instanceof InputError) throw new InputError(`${where}: ${err.message}`);
      throw err;
    }
  }

  /** Fills `features`; returns the vector's values (the stored object itself when it holds exactly the names). */
  private fill(stored: Record<string, Value>, features: FeatureValue[]): Record<string, Value> {
    const { names, types, temporal } = this;
    if (this.reusable && holdsExactly(stored, names)) {
      for (let j = 0; j < names.length; j++)
        features[j] = { name: names[j]!, type: types[j]!, value: stored[names[j]!]! };
      return stored;
    }
    const values: Record<string, Value> = {};
    for (let j = 0; j < names.length; j++) {
      const name = names[j]!;
      let value = stored[name] ?? null;
      if (temporal[j] && typeof value === 'number')
        value = formatTemporal(value, types[j] as 'date' | 'timestamp');
      values[name] = value;
      features[j] = { name, type: types[j]!, value };
    }
    return values;
  }

  private fillUnmatched(features: FeatureValue[]): null {
    for (let j = 0; j < this.names.length; j++)
      features[j] = { name: this.names[j]!, type: this.types[j]!, value: null };
    return null;
  }
}

/** Whether `o`'s own keys are exactly `names`, in that order (JSON.parse gives no undefined values). */
function holdsExactly(o: Record<string, Value>, names: string[]): boolean {
  let j = 0;
  for (const k in o) {
    if (k !== names[j]) return false;
    j++;
  }
  return j === names.length;
}
