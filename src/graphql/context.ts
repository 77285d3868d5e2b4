/** What every resolver receives: the services it may call, loaders, and who is asking. */
import type { Logger } from 'pino';
import type { Runtime } from '../runtime';
import { parseEnvironment } from '../config';
import { ContractService } from './services/contract.service';
import { RunGraphService } from './services/run.service';
import { FeatureGraphService } from './services/feature.service';
import { AuditGraphService } from './services/audit.service';
import { LineageService } from '../serving/lineage.service';
import { createLoaders, type Loaders } from './loaders';
import type { FreshnessService } from '../serving/freshness';
import type { Principal } from '../auth/roles';
import { createStreamService, type StreamService } from '../streaming/stream.service';
import type { LineageGraph } from './types/lineage.type';

export interface Services {
  contracts: ContractService;
  runs: RunGraphService;
  features: FeatureGraphService;
  audit: AuditGraphService;
  freshness: FreshnessService;
  streams: StreamService;
  lineage: {
    graph(q: {
      contract?: string;
      run?: string;
      entity?: unknown;
      environment?: string;
    }): Promise<LineageGraph>;
  };
}

export interface GraphQLContext {
  services: Services;
  loaders: Loaders;
  principal: Principal;
  /** The principal's name for the audit trail. */
  actor: string;
  logger: Logger;
}

/** Services are stateless and shared; loaders are per request so their caches never go stale. */
export function createServices(rt: Runtime): Services {
  const lineage = new LineageService(rt);
  return {
    contracts: new ContractService(rt),
    runs: new RunGraphService(rt),
    features: new FeatureGraphService(rt),
    audit: new AuditGraphService(rt),
    freshness: rt.freshness,
    streams: createStreamService(rt.streams, rt.config.defaultEnvironment),
    lineage: {
      graph: (q) =>
        lineage.graph({
          ...q,
          environment: q.environment ? parseEnvironment(q.environment) : rt.config.defaultEnvironment,
        }),
    },
  };
}

/**
 * Loaders are made on first use: most operations (an online feature read) never touch
 * one, and three DataLoaders per request are not free.
 */
export function createContext(rt: Runtime, services: Services, principal: Principal): GraphQLContext {
  let loaders: Loaders | undefined;
  return {
    services,
    get loaders() {
      return (loaders ??= createLoaders(rt.store));
    },
    principal,
    actor: principal.actor,
    logger: rt.logger,
  };
}
