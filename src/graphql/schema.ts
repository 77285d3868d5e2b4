/** Builds the executable schema from the type-graphql resolvers. */
import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import { GraphQLDateTime } from 'graphql-scalars';
import { ContractResolver } from './resolvers/contract.resolver';

export const resolvers = [ContractResolver] as const;

export async function buildTidemarkSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...resolvers],
    // Input validation happens in the services with Tidemark's own errors.
    validate: false,
    // DESIGN.md fixes the scalar's name: DateTime, from graphql-scalars.
    scalarsMap: [{ type: Date, scalar: GraphQLDateTime }],
  });
}
