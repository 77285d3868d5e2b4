/**
 * A training set over several feature views (contract majors), Feast-style: what the
 * caller asks for (feature references `contract:feature` and per-view options) resolved
 * once per request into a plan: each view's contract version, feature names and types,
 * TTL, and where each of its entity key columns comes from in the spine. Joining the
 * spine against the plan is spine-join.ts; nothing here touches rows.
 */
import semver from 'semver';
import type { Environment } from '../domain/environment';
import { InputError } from '../errors';
import { checkName } from '../lib/identifiers';
import type { ContractRegistry } from '../contracts/registry';
import type { RegisteredContract } from '../domain/registered-contract';
import { parseIsoDuration } from '../lib/duration';
import type { FeatureView } from '../store/feature-rows.types';
import { entityKeyDefinition, type EntityKeyDefinition } from '../pipeline/entity-key-definition';
import { featureTypes, type FeatureValueType } from '../contracts/served-types';

export interface ViewRequest {
  contract: string;
  /** Exact version (1.2.0) or major (1); default the environment's active version. */
  version?: string;
  /** Feature names of this view; default all of them unless `features` refs name some. */
  features?: string[];
  /** ISO-8601 duration: a value older than this at the spine row's time counts as missing. */
  ttl?: string;
  /** View key column → spine column, where the spine names a key differently. */
  keyMap?: Record<string, string>;
}

export interface MultiTrainingQuery {
  /** `contract:feature` references; a view they name needs no entry in `views`. */
  features?: string[];
  views?: ViewRequest[];
  /** The store as it was known at this system time (default now). */
  knownAt?: Date;
  /** Name every output column `contract__feature` (otherwise the feature name, which must be unique). */
  fullFeatureNames?: boolean;
  environment: Environment;
}

export interface PlannedView {
  contract: RegisteredContract;
  view: FeatureView;
  names: string[];
  types: FeatureValueType[];
  ttlMs?: number;
  key: EntityKeyDefinition;
  /** The spine column each of `key.columns` is read from, in key order. */
  spineColumns: string[];
}

export interface OutputColumn {
  name: string;
  type: FeatureValueType;
  /** Index into TrainingPlan.views, and the feature's index in that view's names. */
  view: number;
  feature: number;
}

export interface TrainingPlan {
  views: PlannedView[];
  columns: OutputColumn[];
  /** Every spine column some view reads, in first-use order, with the type of its first reader. */
  spineColumns: Array<{ name: string; type: FeatureValueType }>;
  knownAt?: number;
}

/** Resolves the request against the registry; throws InputError naming what is wrong. */
export async function planTrainingSet(
  registry: ContractRegistry,
  q: MultiTrainingQuery,
): Promise<TrainingPlan> {
  const requests = mergeRequests(q.features ?? [], q.views ?? []);
  if (requests.length === 0)
    throw new InputError(
      'a training set needs at least one feature view: give features ["contract:feature"]',
    );
  const views: PlannedView[] = [];
  for (const r of requests) views.push(await planView(registry, r, q.environment));
  const columns: OutputColumn[] = [];
  const seen = new Map<string, string>();
  views.forEach((v, vi) =>
    v.names.forEach((n, fi) => {
      const name = q.fullFeatureNames ? `${v.contract.name}__${n}` : n;
      const other = seen.get(name);
      if (other !== undefined)
        throw new InputError(
          `output column ${name} would come from both ${other} and ${v.contract.name}; ask for full feature names (contract__feature)`,
        );
      seen.set(name, v.contract.name);
      columns.push({ name, type: v.types[fi]!, view: vi, feature: fi });
    }),
  );
  const spineColumns: TrainingPlan['spineColumns'] = [];
  for (const v of views)
    v.spineColumns.forEach((s, k) => {
      if (!spineColumns.some((c) => c.name === s))
        spineColumns.push({ name: s, type: v.key.types[v.key.columns[k]!]! });
    });
  const clash = spineColumns.find((s) => seen.has(s.name));
  if (clash)
    throw new InputError(
      `output column ${clash.name} is both a spine key column and a feature; ask for full feature names (contract__feature)`,
    );
  let knownAt: number | undefined;
  if (q.knownAt) {
    knownAt = q.knownAt.getTime();
    if (!Number.isFinite(knownAt)) throw new InputError('knownAt is not a valid date-time');
  }
  return { views, columns, spineColumns, knownAt };
}

/** One request per contract, in first-mention order: refs add features to their view. */
function mergeRequests(refs: string[], views: ViewRequest[]): ViewRequest[] {
  const byName = new Map<string, ViewRequest>();
  for (const v of views) {
    checkName(v.contract, 'contract name');
    if (byName.has(v.contract)) throw new InputError(`view ${v.contract} is given twice`);
    byName.set(v.contract, { ...v, features: v.features ? [...v.features] : undefined });
  }
  const fromRefs = new Set<string>();
  for (const ref of refs) {
    const at = ref.indexOf(':');
    if (at <= 0 || at === ref.length - 1)
      throw new InputError(
        `feature reference '${ref}' is not contract:feature (e.g. country_daily:confirmed)`,
      );
    const contract = ref.slice(0, at);
    const feature = ref.slice(at + 1);
    checkName(contract, 'contract name');
    let v = byName.get(contract);
    if (!v) byName.set(contract, (v = { contract }));
    // A view given in `views` with no features of its own takes only the referenced ones.
    if (!fromRefs.has(contract) && !views.some((w) => w.contract === contract && w.features)) v.features = [];
    fromRefs.add(contract);
    if (!v.features!.includes(feature)) v.features!.push(feature);
  }
  return [...byName.values()];
}

async function planView(
  registry: ContractRegistry,
  r: ViewRequest,
  environment: Environment,
): Promise<PlannedView> {
  const contract = await registry.resolve(r.contract, r.version, environment);
  const view: FeatureView = { environment, contract: contract.name, major: contract.major };
  if (r.version && semver.valid(r.version)) view.version = contract.version;
  const all = featureTypes(contract.contract);
  const names = r.features ?? [...all.keys()];
  for (const n of names) checkName(n, 'feature name');
  const unknown = names.filter((n) => !all.has(n));
  if (unknown.length > 0)
    throw new InputError(
      `unknown feature(s) ${unknown.join(', ')} in ${contract.name}@${contract.version}; known: ${[...all.keys()].join(', ')}`,
    );
  const key = entityKeyDefinition(contract.contract);
  const keyMap = r.keyMap ?? {};
  const stray = Object.keys(keyMap).filter((k) => !key.columns.includes(k));
  if (stray.length > 0)
    throw new InputError(
      `key mapping of ${contract.name} names ${stray.join(', ')}, not entity key columns; its key is ${key.columns.join(', ')}`,
    );
  return {
    contract,
    view,
    names,
    types: names.map((n) => all.get(n)!),
    ttlMs: r.ttl !== undefined ? parseTtl(r.ttl, contract.name) : undefined,
    key,
    spineColumns: key.columns.map((c) => keyMap[c] ?? c),
  };
}

function parseTtl(ttl: string, contract: string): number {
  try {
    return parseIsoDuration(ttl);
  } catch (err) {
    throw new InputError(
      `ttl '${ttl}' of ${contract} is not an ISO-8601 duration (e.g. P7D, PT12H): ${(err as Error).message}`,
    );
  }
}
