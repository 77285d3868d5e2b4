/**
 * Opens everything a command or the server needs, from the config: the database
 * (migrated), the store, the logger, the clock and the code version. The server
 * and every CLI command go through here, so they always agree on the wiring.
 */
import { whileUnavailable } from './lib/startup-retry';
import { mkdirSync } from 'node:fs';
import type { Config, Role } from './config';
import { openDb, SQLITE_PAGE_SIZE, type DbOptions } from './store/connection';
import { smallerPageSize } from './store/sqlite-vacuum';
import { migrateLatest } from './store/migrate';
import { Store } from './store/store';
import { createLogger, type Logger } from './observability/logger';
import { detectCodeVersion } from './observability/code-version';
import { systemClock, randomIds, type Clock, type IdGenerator } from './clock';
import { ContractRegistry } from './contracts/registry';
import { RunEventBus } from './pipeline/run-events';
import { RunEventLog } from './store/run-event-log';
import { RawStore } from './pipeline/raw-store';
import { Acquirer } from './pipeline/acquire';
import { RunExecutor } from './pipeline/executor';
import { RunService } from './pipeline/run.service';
import type { WriteHook } from './pipeline/write-stage';
import { FeatureService } from './serving/feature.service';
import { RunDispatcher } from './scheduling/dispatcher';
import type { RetryPolicy } from './scheduling/retry';
import { ContractLifecycle } from './scheduling/lifecycle';
import { rollbackReaction } from './scheduling/reactions';
import { attachRunMetrics, createMetrics, streamMetrics, type Metrics } from './observability/metrics';
import { StreamConsumerManager } from './streaming/consumer-manager';
import { FreshnessService } from './serving/freshness';
import { createOpenLineageEmitter } from './events/openlineage/emitter';
import { ApiKeyService } from './auth/key.service';
import { openOnlineStore, type OnlineStore } from './serving/online-store';

/**
 * What `serve` still has to do before it is ready (the contract sync, the first sweep):
 * /readyz answers 503 naming the step until it is null. Null from the start for every
 * other user of a runtime (CLI commands, tests that serve in-process).
 */
export interface StartupState {
  pending: string | null;
}

export interface Runtime {
  /** See StartupState. */
  startup: StartupState;
  config: Config;
  store: Store;
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
  codeVersion: string;
  registry: ContractRegistry;
  events: RunEventBus;
  rawStore: RawStore;
  executor: RunExecutor;
  runs: RunService;
  dispatcher: RunDispatcher;
  /** Apply and promote, with the backfills and refreshes they set in motion. */
  contracts: ContractLifecycle;
  features: FeatureService;
  metrics: Metrics;
  /**
   * Stops counting this process's own runs in `metrics`: a server counts from the
   * durable event log instead (every process's runs, each once).
   */
  detachLocalRunMetrics(): void;
  freshness: FreshnessService;
  keys: ApiKeyService;
  /** TIDEMARK_ONLINE_STORE=redis: the Redis online store; `serve` starts its sync. */
  online: OnlineStore | null;
  /** Consumers of nats / redis-stream contracts; started by `serve`. */
  streams: StreamConsumerManager;
  close(): Promise<void>;
}

export interface RuntimeOverrides {
  /** `serve`: how long start-up retries an unavailable database (lib/startup-retry.ts); CLI commands fail at once. */
  startupWaitMs?: number;
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
  db?: DbOptions;
  writeHook?: WriteHook;
  codeVersion?: string;
  retry?: RetryPolicy;
  /** Orphan/retry sweep period; 0 disables it (tests drive `dispatcher.sweep()` themselves). */
  sweepMs?: number;
  instanceId?: string;
  leaseMs?: number;
  metrics?: Metrics;
  /**
   * `serve` passes its role; an `api` runtime never executes a run itself. CLI commands
   * leave it unset and execute what they start, whatever TIDEMARK_ROLE says.
   */
  role?: Role;
  /** A worker's look for runs other instances queued (default 1 s). */
  pollQueueMs?: number;
  /**
   * False stores no profiles (so drift checks have no baseline): only the `profile`
   * benchmark sets it, to measure profiling's share of a run. Not a user setting.
   */
  profile?: boolean;
}

export function dbOptionsFor(config: Config): DbOptions {
  return config.databaseUrl
    ? { engine: 'postgres', url: config.databaseUrl }
    : { engine: 'sqlite', filename: config.sqliteFile };
}

export async function openRuntime(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  mkdirSync(config.landingDir, { recursive: true });
  mkdirSync(config.rawDir, { recursive: true });
  const logger = overrides.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const db = openDb(overrides.db ?? dbOptionsFor(config), logger);
  try {
    const migrate = () => migrateLatest(db.knex);
    const applied = overrides.startupWaitMs
      ? await whileUnavailable('migrations', migrate, { logger, deadlineMs: overrides.startupWaitMs })
      : await migrate();
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    // Not from a worker: in `serve --role all` the run thread opens a runtime of its own.
    const advise = db.engine === 'sqlite' && overrides.role !== 'worker';
    const pageSize = advise ? await smallerPageSize(db.knex) : null;
    if (pageSize !== null)
      logger.info(
        { pageSize, newStores: SQLITE_PAGE_SIZE, docs: 'docs/store.md#the-sqlite-file' },
        'this store has smaller pages than new stores: `tidemark vacuum`, with the server stopped, rewrites it (daily runs on a large store commit faster)',
      );
  } catch (err) {
    await db.close();
    throw err;
  }
  const store = new Store(db);
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? randomIds;
  const codeVersion = overrides.codeVersion ?? detectCodeVersion();
  const registry = new ContractRegistry(store, clock, logger);
  const events = new RunEventBus();
  const rawStore = new RawStore(config.rawDir);
  const acquirer = new Acquirer({ store, rawStore, clock, ids, landingDir: config.landingDir, logger });
  const executor = new RunExecutor({
    store,
    rawStore,
    clock,
    ids,
    logger,
    codeVersion,
    events,
    writeHook: overrides.writeHook,
    instanceId: overrides.instanceId,
    leaseMs: overrides.leaseMs ?? config.runLeaseMs,
    profile: overrides.profile,
  });
  const dispatcher = new RunDispatcher({
    store,
    executor,
    clock,
    logger,
    events,
    retry: overrides.retry,
    sweepMs: overrides.sweepMs ?? config.sweepMs,
    executes: overrides.role !== 'api',
    pollQueueMs: overrides.role === 'worker' ? (overrides.pollQueueMs ?? 1_000) : 0,
    // Event times are the database's wall clock (the trigger writes them), so the horizon is too.
    pruneEvents: () => new RunEventLog(db.knex).prune(Date.now() - config.eventsRetentionMs),
  });
  const afterRollback = rollbackReaction({ store, executor, dispatcher, logger });
  const runs = new RunService({
    queue: dispatcher,
    store,
    registry,
    acquirer,
    executor,
    clock,
    events,
    afterRollback,
  });
  const metrics = overrides.metrics ?? createMetrics();
  const online =
    config.onlineStore === 'redis' && config.redisUrl
      ? openOnlineStore({
          redisUrl: config.redisUrl,
          prefix: config.eventsPrefix,
          store,
          logger,
          metrics,
          events,
        })
      : null;
  const features = new FeatureService({ store, registry, clock, online: online?.reads });
  const contracts = new ContractLifecycle({ store, registry, executor, dispatcher, clock, logger });
  const detachMetrics = attachRunMetrics(events, metrics);
  const freshness = new FreshnessService({ store, clock, logger, metrics });
  const streams = new StreamConsumerManager(
    { registry, store, rawStore, executor, dispatcher, clock, ids, logger },
    { natsUrl: config.natsUrl, redisUrl: config.redisUrl, metrics: streamMetrics(metrics) },
  );
  const lineage = createOpenLineageEmitter({
    bus: events,
    store,
    logger,
    metrics,
    codeVersion,
    namespace: config.openLineage.namespace,
    endpointUrl: config.openLineage.url ?? undefined,
    filePath: config.openLineage.file ?? undefined,
  });
  return {
    startup: { pending: null },
    config,
    store,
    logger,
    clock,
    ids,
    codeVersion,
    registry,
    events,
    rawStore,
    executor,
    runs,
    dispatcher,
    contracts,
    features,
    metrics,
    detachLocalRunMetrics: detachMetrics,
    freshness,
    keys: new ApiKeyService({ store, clock }),
    streams,
    online,
    close: async () => {
      // An in-flight micro-batch needs the dispatcher to commit: stop consumers first.
      await streams.stop();
      await dispatcher.stop();
      detachMetrics();
      // The emitter reads the store for its last events: close it before the store.
      await lineage.close();
      await online?.close();
      await store.close();
    },
  };
}
