/**
 * The served schema: the static schema (type-graphql's, the one in schema.graphql) plus
 * `Query.featureView` with one typed field per active contract major. Built with
 * graphql-js from the static schema's own types, so the static part (its resolvers and
 * scalars included) is served exactly as before; with no typed view at all, the static
 * schema itself is served.
 */
import {
  GraphQLBoolean,
  GraphQLFloat,
  GraphQLID,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLFieldConfigMap,
  type GraphQLOutputType,
  type GraphQLScalarType,
  type GraphQLInputType,
} from 'graphql';
import { GraphQLDate, GraphQLSafeInt } from 'graphql-scalars';
import type { FeatureType } from '../../domain/contract';
import type { TypedFeature } from '../../contracts/feature-type';
import type { NamedView, ViewSource } from './view-names';
import type { GraphQLContext } from '../context';

export interface TypedViewSource extends ViewSource {
  /** The version the view's fields come from: the newest active version of the major. */
  version: string;
  description: string | undefined;
  features: TypedFeature[];
}

export interface ViewArgs {
  entities: unknown[];
  asOf?: Date | null;
  knownAt?: Date | null;
  environment?: string | null;
}

/** Reads one view: one row per entity, `values` by feature name (null when nothing matched). */
export type ViewReader = (
  view: TypedViewSource,
  args: ViewArgs,
  ctx: GraphQLContext,
) => Promise<Array<{ values: Record<string, unknown> | null } & Record<string, unknown>>>;

export function servedSchema(
  base: GraphQLSchema,
  views: NamedView<TypedViewSource>[],
  read: ViewReader,
): GraphQLSchema {
  if (views.length === 0) return base;
  const scalar = (name: string) => base.getType(name) as GraphQLScalarType;
  const json = scalar('JSON');
  const dateTime = scalar('DateTime');
  const valueType: Record<FeatureType, GraphQLOutputType> = {
    int: GraphQLSafeInt,
    float: GraphQLFloat,
    string: GraphQLString,
    bool: GraphQLBoolean,
    timestamp: dateTime,
    date: GraphQLDate,
  };
  const fields: GraphQLFieldConfigMap<unknown, GraphQLContext> = {};
  for (const view of views) fields[view.field] = viewField(view, valueType, { json, dateTime }, read);
  const featureView = new GraphQLObjectType<unknown, GraphQLContext>({
    name: 'FeatureView',
    description:
      'One typed field per active contract major, named <contract>_v<major> (docs/graphql.md). Fields appear as contracts are applied and promoted.',
    fields,
  });
  const query = base.getQueryType()!;
  const queryConfig = query.toConfig();
  const newQuery = new GraphQLObjectType({
    ...queryConfig,
    fields: {
      ...queryConfig.fields,
      featureView: {
        type: new GraphQLNonNull(featureView),
        description: 'Typed feature views: one field per active contract major.',
        resolve: () => ({}),
      },
    },
  });
  const config = base.toConfig();
  return new GraphQLSchema({
    ...config,
    query: newQuery,
    types: config.types.filter((t) => t !== query),
  });
}

function viewField(
  view: NamedView<TypedViewSource>,
  valueType: Record<FeatureType, GraphQLOutputType>,
  scalars: { json: GraphQLScalarType; dateTime: GraphQLScalarType },
  read: ViewReader,
): GraphQLFieldConfig<unknown, GraphQLContext> {
  const s = view.source;
  const types = new Map(s.features.map((f) => [f.name, f] as const));
  const rowFields: GraphQLFieldConfigMap<Record<string, unknown>, GraphQLContext> = {
    entity: {
      type: new GraphQLNonNull(scalars.json),
      description: 'Scalar for one-column keys, {column: value} for composite keys.',
    },
    timestamp: { type: scalars.dateTime, description: 'The requested asOf, when given.' },
    eventTime: {
      type: scalars.dateTime,
      description: 'Event time of the matched feature row; null when none matched.',
    },
    runId: { type: GraphQLID, description: 'The run that wrote the matched row.' },
    contractVersion: { type: GraphQLString, description: 'The contract version of the matched row.' },
  };
  for (const [field, name] of view.fields) {
    const f = types.get(name)!;
    rowFields[field] = {
      type: valueType[f.type],
      description: `${f.description} (${f.type})`,
      resolve: (row) => (row.values as Record<string, unknown> | null)?.[name] ?? null,
    };
  }
  const rowType = new GraphQLObjectType<Record<string, unknown>, GraphQLContext>({
    name: view.typeName,
    description: `${s.contract} major ${s.major} (fields of ${s.version})${s.description ? `: ${s.description}` : ''}`,
    fields: rowFields,
  });
  const nullable = (type: GraphQLInputType, description: string) => ({ type, description });
  return {
    type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(rowType))),
    description: `${s.contract} major ${s.major}: the latest visible values per entity at or before asOf (default now), as known at knownAt.`,
    args: {
      entities: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(scalars.json))) },
      asOf: nullable(scalars.dateTime, 'Default: now.'),
      knownAt: nullable(scalars.dateTime, 'The store as it was known at this moment (default: now).'),
      environment: nullable(GraphQLString, "Default: the server's environment."),
    },
    resolve: (_root, args: ViewArgs, ctx) => read(s, args, ctx),
  };
}
