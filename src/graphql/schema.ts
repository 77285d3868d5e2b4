/** Builds the executable schema from the type-graphql resolvers. */
import 'reflect-metadata';
import { buildSchema } from 'type-graphql';
import type { GraphQLSchema } from 'graphql';
import { DateTimeScalar } from './scalars/date-time';
import { ContractResolver } from './resolvers/contract.resolver';
import { FeatureResolver } from './resolvers/feature.resolver';
import { RunResolver } from './resolvers/run.resolver';
import { LineageResolver } from './resolvers/lineage.resolver';
import { SubscriptionResolver } from './resolvers/subscription.resolver';
import { AuditResolver } from './resolvers/audit.resolver';
import { FreshnessResolver } from './resolvers/freshness.resolver';
import { StreamResolver } from './resolvers/stream.resolver';
import { ViewerResolver } from './resolvers/viewer.resolver';
import { RunActionsResolver } from './resolvers/run-actions.resolver';
import { FeatureHistoryResolver } from './resolvers/feature-history.resolver';
import { PlanResolver } from './resolvers/plan.resolver';
import { ProfileResolver } from './resolvers/profile.resolver';
import type { TidemarkPubSub } from './pubsub';
import { authChecker } from './auth';

export const resolvers = [
  ContractResolver,
  FeatureResolver,
  RunResolver,
  LineageResolver,
  SubscriptionResolver,
  AuditResolver,
  FreshnessResolver,
  StreamResolver,
  // The console's needs (issue 16): who is calling, what a rollback would change, one entity's history.
  ViewerResolver,
  RunActionsResolver,
  FeatureHistoryResolver,
  PlanResolver,
  // Run profiles and their history (issue 18).
  ProfileResolver,
] as const;

export async function buildTidemarkSchema(pubSub: TidemarkPubSub): Promise<GraphQLSchema> {
  return buildSchema({
    pubSub,
    authChecker,
    resolvers: [...resolvers],
    // Input validation happens in the services with Tidemark's own errors.
    validate: false,
    // DESIGN.md fixes the scalar's name: DateTime (graphql-scalars', also taking bare dates).
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
  });
}
