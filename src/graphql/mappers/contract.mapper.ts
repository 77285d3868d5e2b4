/** Registered contracts → GraphQL objects. Pure: the resolver fetches, this shapes. */
import type { RegisteredContract, Promotion, ActiveVersion } from '../../domain/registered-contract';
import type { ColumnSpec, FeatureSpec } from '../../domain/contract';
import { typeFeatures, type TypedFeature } from '../../contracts/feature-type';
import { Contract, ColumnType, FeatureDefinition, PromotionType } from '../types/contract.type';

export function toContractType(
  c: RegisteredContract,
  ctx: { versions: string[]; promotions: Promotion[]; active: ActiveVersion[] },
): Contract {
  const spec = c.contract;
  return Object.assign(new Contract(), {
    name: c.name,
    version: c.version,
    major: c.major,
    hash: c.hash,
    owner: c.owner,
    description: spec.description,
    entity: spec.entity.name,
    entityKey: spec.entity.key,
    eventTime: spec.eventTime,
    source: spec.source,
    schema: spec.schema.map(toColumn),
    features: typeFeatures(spec).features.map((typed, i) => toFeature(spec.features[i]!, typed)),
    expectations: spec.expectations,
    schedule: spec.schedule ?? null,
    yaml: c.yaml,
    registeredAt: new Date(c.createdAt),
    registeredBy: c.createdBy,
    environments: ctx.active
      .filter((a) => a.name === c.name && a.version === c.version)
      .map((a) => a.environment),
    versions: ctx.versions,
    promotions: ctx.promotions.filter((p) => p.contractName === c.name).map(toPromotion),
    spec,
  });
}

function toColumn(col: ColumnSpec): ColumnType {
  const { name, type, required, description, ...constraints } = col;
  return Object.assign(new ColumnType(), {
    name,
    type,
    required: required === true,
    description,
    constraints: Object.keys(constraints).length ? constraints : undefined,
  });
}

function toFeature(f: FeatureSpec, typed: TypedFeature): FeatureDefinition {
  const kind = f.window ? 'window' : f.expr !== undefined ? 'expr' : 'column';
  const definition = f.window ?? f.expr ?? f.column;
  return Object.assign(new FeatureDefinition(), {
    name: f.name,
    kind,
    definition,
    type: typed.type,
    description: typed.description,
  });
}

function toPromotion(p: Promotion): PromotionType {
  return Object.assign(new PromotionType(), {
    id: String(p.id),
    version: p.version,
    environment: p.environment,
    fromEnvironment: p.fromEnvironment,
    state: p.state,
    at: new Date(p.createdAt),
    by: p.createdBy,
  });
}
