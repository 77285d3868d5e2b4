/**
 * The read path: feature vectors per entity as of a point in time (optionally as
 * the store knew them at `knownAt`), and point-in-time-correct training sets.
 * Both resolve to one set-based store query; nothing here is per row.
 */
import semver from 'semver';
import type { Environment } from '../domain/environment';
import { InputError } from '../errors';
import type { Clock } from '../clock';
import type { Store } from '../store/store';
import type { MatchedRow, FeatureView } from '../store/feature-rows.types';
import type { ContractRegistry } from '../contracts/registry';
import type { RegisteredContract } from '../domain/registered-contract';
import { parseIsoDuration } from '../lib/duration';
import type { EntityKeyJson } from '../pipeline/entity-key';
import { entityKeyDefinition } from '../pipeline/entity-key-definition';
import { formatTemporal } from '../pipeline/coerce';
import type { Value } from '../domain/value';
import { featureTypes, type FeatureValueType } from '../contracts/served-types';
import { TrainingShape } from './training-set';
import { contractShape } from './contract-shape';
import { planTrainingSet, type MultiTrainingQuery, type TrainingPlan } from './multi-view';
import { joinSpine, type SpineRow } from './spine-join';
import { BulkJoin } from './bulk-join';
import { toTrainingRows, type TrainingRow } from './training-rows';
import type { OnlineReads } from './online-store/online-reads';

export interface FeatureValue {
  name: string;
  value: Value;
  type: FeatureValueType;
}

export interface FeatureVector {
  entity: EntityKeyJson;
  /** The requested time (asOf, or the training row's timestamp). */
  timestamp: Date | null;
  /** Event time of the matched feature row; null when nothing matched. */
  eventTime: Date | null;
  values: Record<string, Value> | null;
  features: FeatureValue[];
  runId: string | null;
  contractVersion: string | null;
}

export interface FeatureQuery {
  contract: string;
  version?: string;
  entities: unknown[];
  features?: string[];
  asOf?: Date;
  knownAt?: Date;
  environment: Environment;
}

export interface FeatureHistoryQuery {
  contract: string;
  version?: string;
  entity: unknown;
  features?: string[];
  knownAt?: Date;
  first: number;
  environment: Environment;
}

export interface TrainingSetQuery {
  contract: string;
  version?: string;
  rows: Array<{ entity: unknown; timestamp: Date }>;
  features?: string[];
  ttl?: string;
  /** The store as it was known at this system time (default now). */
  knownAt?: Date;
  environment: Environment;
}

export class FeatureService {
  constructor(
    private readonly deps: { store: Store; registry: ContractRegistry; clock: Clock; online?: OnlineReads },
  ) {}

  /** The online read; what it derives from the contract is cached per version (contract-shape.ts). */
  async features(q: FeatureQuery): Promise<FeatureVector[]> {
    const { contract, view } = await this.view(q.contract, q.version, q.environment);
    const shape = contractShape(contract);
    const names = shape.names(q.features);
    const at = q.asOf ? checkedTime(q.asOf, 'asOf') : this.deps.clock.now();
    const knownAt = q.knownAt ? checkedTime(q.knownAt, 'knownAt') : undefined;
    const requests = q.entities.map((e, i) => ({ entityKey: shape.key(e, `entities[${i}]`), at }));
    // "As of now" only: asOf, knownAt and a pinned version always read SQL.
    if (this.deps.online && !q.asOf && !knownAt && !view.version) {
      const keys = requests.map((r) => r.entityKey);
      const served = await this.deps.online.newest(view, keys, at);
      if (served) return requests.map((r, i) => shape.vector(names, r.entityKey, served[i]!, null));
    }
    const matches = await this.deps.store.features.pointInTime(view, requests, { knownAt });
    const timestamp = q.asOf ?? null;
    return requests.map((r, i) => shape.vector(names, r.entityKey, matches[i]!, timestamp));
  }

  /**
   * One entity's values over event time, as the store knew them at `knownAt` (default
   * now): a vector per event time, ascending, the newest `first` of them.
   */
  async history(q: FeatureHistoryQuery): Promise<FeatureVector[]> {
    const { contract, view } = await this.view(q.contract, q.version, q.environment);
    const shape = contractShape(contract);
    const names = shape.names(q.features);
    const entityKey = shape.key(q.entity, 'entity');
    const knownAt = q.knownAt ? checkedTime(q.knownAt, 'knownAt') : undefined;
    const rows = await this.deps.store.features.timeline(view, entityKey, { knownAt, limit: q.first });
    return rows.map((m) => shape.vector(names, entityKey, m, null));
  }

  async trainingSet(q: TrainingSetQuery): Promise<FeatureVector[]> {
    const { contract, view } = await this.view(q.contract, q.version, q.environment);
    const shape = new TrainingShape(contract, q.features);
    const ttlMs = q.ttl !== undefined ? parseTtl(q.ttl) : undefined;
    const knownAt = q.knownAt ? checkedTime(q.knownAt, 'knownAt') : undefined;
    const requests = shape.requests(q.rows);
    // Vectors are built as the matches arrive, while the store reads the next chunk.
    const out = new Array<FeatureVector>(requests.length);
    await this.deps.store.features.eachPointInTime(view, requests, { ttlMs, knownAt }, (i, m) => {
      out[i] = shape.vector(q.rows[i]!, requests[i]!, m);
    });
    for (let i = 0; i < out.length; i++) out[i] ??= shape.vector(q.rows[i]!, requests[i]!, null);
    return out;
  }

  /**
   * A training set over several feature views joined on one spine (multi-view.ts plans
   * it, spine-join.ts joins it): one row per spine row, in spine order.
   */
  async trainingSetMulti(q: MultiTrainingQuery, rows: SpineRow[]): Promise<TrainingRow[]> {
    const plan = await planTrainingSet(this.deps.registry, q);
    const joined = await joinSpine(this.deps.store.features, plan, rows);
    return toTrainingRows(plan, rows, joined);
  }

  /** The plan of a multi-view training set, for callers that join the spine in chunks (the bulk endpoint). */
  planTrainingSet(q: MultiTrainingQuery): Promise<TrainingPlan> {
    return planTrainingSet(this.deps.registry, q);
  }

  /** The join of a big spine's chunks against a plan (bulk-join.ts), keeping at most `cacheBytes` of entity rows. */
  bulkJoin(plan: TrainingPlan, cacheBytes: number): BulkJoin {
    return new BulkJoin(this.deps.store.features, plan, cacheBytes);
  }

  /** The contract version and the feature view (environment, contract, major[, exact version]). */
  private async view(name: string, version: string | undefined, environment: Environment) {
    const contract = await this.deps.registry.resolve(name, version, environment);
    const view: FeatureView = { environment, contract: contract.name, major: contract.major };
    // An exact version reads only the rows written under it; a major (or none) reads the whole view.
    if (version && semver.valid(version)) view.version = contract.version;
    return { contract, view };
  }

  private shape(contract: RegisteredContract, wanted: string[] | undefined) {
    const types = featureTypes(contract.contract);
    const names = wanted ?? [...types.keys()];
    const unknown = names.filter((n) => !types.has(n));
    if (unknown.length > 0) {
      throw new InputError(
        `unknown feature(s) ${unknown.join(', ')} in ${contract.name}@${contract.version}; known: ${[...types.keys()].join(', ')}`,
      );
    }
    const key = entityKeyDefinition(contract.contract);
    return (entityKey: string, m: MatchedRow | null, timestamp: Date | null): FeatureVector => {
      const features = names.map((name) => ({
        name,
        type: types.get(name)!,
        value: present(m?.values[name] ?? null, types.get(name)!),
      }));
      return {
        entity: key.decode(entityKey),
        timestamp,
        eventTime: m ? new Date(m.eventTime) : null,
        values: m ? Object.fromEntries(features.map((f) => [f.name, f.value])) : null,
        features,
        runId: m?.runId ?? null,
        contractVersion: m?.contractVersion ?? null,
      };
    };
  }
}

function present(v: Value, type: FeatureValueType): Value {
  return typeof v === 'number' && (type === 'date' || type === 'timestamp') ? formatTemporal(v, type) : v;
}

function checkedTime(d: Date, where: string): number {
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new InputError(`${where} is not a valid date-time`);
  return t;
}

function parseTtl(ttl: string): number {
  try {
    return parseIsoDuration(ttl);
  } catch (err) {
    throw new InputError(
      `ttl '${ttl}' is not an ISO-8601 duration (e.g. P7D, PT12H): ${(err as Error).message}`,
    );
  }
}
