/** What every resolver receives: the services it may call, loaders, and who is asking. */
import type { Logger } from 'pino';
import type { Runtime } from '../runtime';
import { parseEnvironment } from '../config';
import { ContractService } from './services/contract.service';
import { RunGraphService } from './services/run.service';
import { FeatureGraphService } from './services/feature.service';
import { AuditGraphService } from './services/audit.service';
import { PlanService } from './services/plan.service';
import { LineageService } from '../serving/lineage.service';
import { createLoaders, type Loaders } from './loaders';
import type { FreshnessService } from '../serving/freshness';
import type { Principal } from '../domain/role';
import { createStreamService, type StreamService } from '../streaming/stream.service';
import type { LineageGraph } from './types/lineage.type';
import { EventFanout } from '../events/run-events-fanout';
import type { RunEvent, RunEventLog } from '../store/run-event-log';
import { runEventLogSource } from '../events/run-event-poller';

/** How often this process reads the run event log for new events (one query for all subscribers). */
export const RUN_EVENT_POLL_MS = 250;

export interface Services {
  contracts: ContractService;
  runs: RunGraphService;
  features: FeatureGraphService;
  audit: AuditGraphService;
  plan: PlanService;
  freshness: FreshnessService;
  streams: StreamService;
  /** Run status changes for GraphQL subscriptions: one reader of the event log per process. */
  runStatus: EventFanout<RunEvent>;
  /** The durable run event log, read to replay what a resuming subscriber missed. */
  runEvents: RunEventLog;
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

/**
 * Services are stateless and shared; loaders are per request so their caches never go
 * stale. `runStatus` reads the durable run event log, which every process writes to
 * (the table is the truth), so subscribers see runs finished anywhere.
 */
export interface ServiceHooks {
  /** After this process applied or promoted a contract (the typed views follow the active versions). */
  contractsChanged?: () => Promise<void>;
}

export function createServices(
  rt: Runtime,
  liveRunStatus?: EventFanout<RunEvent>,
  hooks: ServiceHooks = {},
): Services {
  const runEvents = rt.store.runEvents;
  const runStatus =
    liveRunStatus ??
    new EventFanout<RunEvent>(
      runEventLogSource(runEvents, {
        intervalMs: RUN_EVENT_POLL_MS,
        // This process's status changes (its run thread's too) are in the log by the time
        // they are published.
        wake: (nudge) => rt.events.subscribeAll(() => nudge()),
        onError: (err) =>
          rt.logger.warn({ error: String(err) }, 'reading the run event log failed; retrying'),
      }),
    );
  const lineage = new LineageService(rt);
  return {
    contracts: new ContractService(rt, hooks.contractsChanged),
    runs: new RunGraphService(rt),
    features: new FeatureGraphService(rt),
    audit: new AuditGraphService(rt),
    plan: new PlanService(rt),
    freshness: rt.freshness,
    streams: createStreamService(rt.streams, rt.config.defaultEnvironment),
    runStatus,
    runEvents,
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
 * one, and three DataLoaders per request are not free. The getter lives on the
 * prototype because Apollo copies the context's own properties (Object.assign onto an
 * object of the same prototype) before executing, which would call an own getter.
 */
class RequestContext implements GraphQLContext {
  private made: Loaders | undefined = undefined;
  readonly actor: string;

  constructor(
    private readonly store: Runtime['store'],
    readonly services: Services,
    readonly principal: Principal,
    readonly logger: Logger,
  ) {
    this.actor = principal.actor;
  }

  get loaders(): Loaders {
    return (this.made ??= createLoaders(this.store));
  }
}

export function createContext(rt: Runtime, services: Services, principal: Principal): GraphQLContext {
  return new RequestContext(rt.store, services, principal, rt.logger);
}
