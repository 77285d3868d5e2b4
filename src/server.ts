/**
 * The composition root for serving: runtime (store, registry, engine) + HTTP +
 * GraphQL over HTTP and WebSocket. Nothing below this file knows it is served.
 */
import http from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { Runtime } from './runtime';
import { buildTidemarkSchema } from './graphql/schema';
import { TypedViews } from './graphql/typed-views/typed-views';
import { schemaGateway } from './graphql/typed-views/schema-gateway';
import { readView } from './graphql/typed-views/view-reader';
import { createErrorFormatter } from './graphql/error-format';
import { createContext, createServices, type GraphQLContext } from './graphql/context';
import { createTidemarkPubSub, bridgeRunEvents } from './graphql/pubsub';
import { attachWebSocket } from './graphql/websocket';
import { limitRules, LIMITS, PARSE_OPTIONS } from './graphql/limits';
import { limitsPlugin } from './graphql/limits.plugin';
import { boundedStringify } from './graphql/response-size';
import { httpOperationsPlugin } from './graphql/http-operations.plugin';
import { explorerAssets, explorerPage } from './graphql/explorer';
import { consoleRoutes } from './console/routes';
import { trainingSetRoutes, type BulkLimits } from './serving/training-set.route';
import { observabilityRoutes } from './observability/routes';
import { healthzHandler } from './observability/healthz';
import { graphqlMetricsPlugin, graphqlRequestMetrics } from './graphql/metrics.plugin';
import { enableProcessMetrics } from './observability/metrics';
import { feedRunMetricsFromLog } from './observability/run-metrics-feed';
import { authMiddleware, keyRequired, type AuthedRequest } from './auth/http';
import { AuthGate, authModeFor, type AuthMode } from './auth/gate';
import { RateLimiter, SubscriptionCounter } from './auth/rate-limit';
import type { FailedAuthLimiter } from './auth/failed-auth';
import { KeyWatch } from './auth/key-watch';

/** Default for ServerOptions.keyRecheckMs. */
export const KEY_RECHECK_MS = 2_000;
/** Default for ServerOptions.typedViewRefreshMs. */
export const TYPED_VIEW_REFRESH_MS = 5_000;
import { createRedisTransport } from './events/pubsub-transport';
import { graphqlHttp } from './graphql/http';
import { noStorePlugin } from './graphql/no-store.plugin';
import { fastExecution } from './graphql/fast-execution';
import { unmirrored } from './graphql/mirrored';

export interface TidemarkServer {
  app: express.Express;
  httpServer: http.Server;
  /** Resolves once listening; returns the bound port (useful with PORT=0). */
  listen(port: number, host: string): Promise<number>;
  /** Drains HTTP and WebSocket connections, then stops. */
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Default: from TIDEMARK_AUTH and HOST (keys required beyond loopback). */
  authMode?: AuthMode;
  /**
   * Answer `POST /graphql` JSON requests without Express (src/graphql/http.ts). Default
   * true; false routes every request through Express, the reference the tests compare with.
   */
  directGraphqlHttp?: boolean;
  /**
   * On the direct path, answer repeated queries without Apollo's pipeline
   * (src/graphql/fast-execution.ts). Default true; false leaves every request to Apollo,
   * the reference the tests compare with.
   */
  fastExecution?: boolean;
  /** Bytes of one JSON answer (default LIMITS.maxResponseBytes; tests lower it). */
  maxResponseBytes?: number;
  /**
   * How often the keys of open WebSockets are re-read, and how old a reading an operation
   * on one may use (default KEY_RECHECK_MS): a revoked key's sockets close within it.
   */
  keyRecheckMs?: number;
  /** How old a key reading an operation on a WebSocket may use (default: keyRecheckMs). */
  keyMaxAgeMs?: number;
  /** Failed-authentication limits (default: DEFAULT_FAILED_AUTH_POLICY); tests pass their own. */
  failedAuth?: FailedAuthLimiter;
  /**
   * How often active contract versions are re-read for the typed views (default
   * TYPED_VIEW_REFRESH_MS): changes made by another process show within it; changes
   * made through this one show at once.
   */
  typedViewRefreshMs?: number;
  /** The built console (default: console/dist of this checkout); tests pass their own. */
  consoleDist?: string;
  /** POST /v1/training-set's rows per request and per chunk (default BULK_LIMITS); tests make chunks small. */
  bulkLimits?: Partial<BulkLimits>;
}

export async function createServer(rt: Runtime, opts: ServerOptions = {}): Promise<TidemarkServer> {
  const gate = new AuthGate(rt.keys, opts.authMode ?? authModeFor(rt.config), {
    failures: opts.failedAuth,
    logger: rt.logger,
    onFailure: (transport, reason) => rt.metrics.authFailures.inc({ transport, reason }),
  });
  if (gate.mode === 'loopback-anonymous') {
    rt.logger.warn(
      { host: rt.config.host },
      'development mode: anonymous callers are admins on this loopback address; API keys are still honoured',
    );
  }
  const limiter = new RateLimiter(LIMITS.ratePerSec, LIMITS.rateBurst);
  const app = express();
  app.disable('x-powered-by');
  // The request listener is attached once Apollo has started (below).
  const httpServer = http.createServer();
  const redis = rt.config.redisUrl
    ? createRedisTransport(rt.config.redisUrl, rt.logger, rt.config.eventsPrefix)
    : null;
  const pubSub = createTidemarkPubSub(redis?.eventTarget);
  const unbridge = bridgeRunEvents(rt.events, pubSub);
  // The static schema plus a typed field per active contract major, swapped in place as
  // contracts are applied and promoted (src/graphql/typed-views/).
  const views = new TypedViews({
    base: await buildTidemarkSchema(pubSub),
    registry: rt.registry,
    read: readView,
    logger: rt.logger,
  });
  await views.refresh();
  const stopWatchingViews = views.watch(opts.typedViewRefreshMs ?? TYPED_VIEW_REFRESH_MS);
  // Contracts applied in this process outside GraphQL (the start-up sync of contracts/ runs
  // after the port is bound, so after the first refresh) change the schema at once, not at
  // the next poll: an explorer opened right after start must see every typed view.
  // The change is made; a failed rebuild is retried by the watch, not reported as the change's failure.
  const refreshViews = () =>
    views
      .refresh()
      .catch((err: unknown) => rt.logger.warn({ error: String(err) }, 'typed views not refreshed'));
  const offLifecycle = rt.contracts.onChange(() => void refreshViews());
  const schema = () => views.current;
  const services = createServices(rt, undefined, {
    // Awaited by the mutation, so its answer comes after the schema has the new view.
    contractsChanged: refreshViews,
  });
  const runStatus = services.runStatus;
  // Count runs from the durable event log (runs of every process), not only this one's.
  rt.detachLocalRunMetrics();
  const stopRunMetrics = feedRunMetricsFromLog(runStatus, rt.metrics, rt.logger);
  const keyWatch = new KeyWatch({
    keys: rt.store.apiKeys,
    intervalMs: opts.keyRecheckMs ?? KEY_RECHECK_MS,
    maxAgeMs: opts.keyMaxAgeMs ?? opts.keyRecheckMs ?? KEY_RECHECK_MS,
    logger: rt.logger,
  });
  const ws = attachWebSocket(httpServer, schema, rt, services, {
    gate,
    limiter,
    subscriptions: new SubscriptionCounter(LIMITS.maxSubscriptionsPerCaller),
    keys: keyWatch,
  });
  enableProcessMetrics(rt.metrics);
  const stopFreshness = rt.freshness.schedule(60_000);
  // Given to Apollo and to the fast path alike, so both validate, format and measure as one.
  const formatError = createErrorFormatter(rt.logger);
  const validationRules = limitRules();
  const stringifyResult = boundedStringify(rt.logger, opts.maxResponseBytes);
  const requestMetrics = graphqlRequestMetrics(rt.metrics);
  const plugins: ApolloServerPlugin<GraphQLContext>[] = [
    ApolloServerPluginDrainHttpServer({ httpServer }),
    ApolloServerPluginLandingPageDisabled(),
    // No field carries a cache hint, so Apollo's cache-control plugin (on by default)
    // only ever concluded `no-store`, at a cost on every resolved field; say it directly.
    ApolloServerPluginCacheControlDisabled(),
    // Apollo installs inline tracing for federated subgraphs on its own; this schema is
    // not one, so the plugin only ran an empty hook per request. Said here, it is not installed.
    ApolloServerPluginInlineTraceDisabled(),
    limitsPlugin<GraphQLContext>(),
    httpOperationsPlugin<GraphQLContext>(),
    noStorePlugin(),
    graphqlMetricsPlugin<GraphQLContext>(requestMetrics),
    { serverWillStart: async () => ({ drainServer: () => ws.dispose() }) },
  ];
  const apollo = new ApolloServer<GraphQLContext>({
    gateway: schemaGateway(views),
    formatError,
    validationRules,
    parseOptions: PARSE_OPTIONS,
    stringifyResult,
    // Apollo's own lines ("Unexpected error processing request", ...) go to the one log.
    logger: rt.logger,
    introspection: true,
    // Stacks go to the log (error-format.ts), never to clients.
    includeStacktraceInErrorResponses: false,
    plugins,
  });
  await apollo.start();
  const fast =
    opts.fastExecution === false
      ? null
      : fastExecution({
          schema,
          validationRules,
          formatError,
          stringifyResult,
          metrics: requestMetrics,
          plugins,
        });
  if (!fast && opts.fastExecution !== false)
    rt.logger.warn(
      { plugins: unmirrored(plugins) },
      'fast GraphQL execution is off: an Apollo plugin acts on every request in a way it does not mirror',
    );

  app.get('/healthz', healthzHandler(rt.store.features, rt.logger));
  app.use(
    observabilityRoutes({
      metrics: rt.metrics,
      store: rt.store,
      logger: rt.logger,
      starting: () => rt.startup.pending,
      freshness: rt.freshness,
      guard: keyRequired(gate),
    }),
  );
  app.use(
    trainingSetRoutes({
      features: rt.features,
      gate,
      limiter,
      defaultEnvironment: rt.config.defaultEnvironment,
      logger: rt.logger,
      formatError,
      limits: { joinCacheBytes: rt.config.trainingCacheBytes, ...opts.bulkLimits },
    }),
  );
  // The console at / and its routes; the explorer stays at /graphql.
  app.use(consoleRoutes(opts.consoleDist));
  app.use('/explorer', explorerAssets());
  app.use(
    '/graphql',
    explorerPage,
    authMiddleware(gate, limiter),
    express.json({ limit: LIMITS.maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req }) => createContext(rt, services, (req as AuthedRequest).principal!),
    }),
  );
  app.use(bodyErrors);
  httpServer.on(
    'request',
    opts.directGraphqlHttp === false
      ? app
      : graphqlHttp(
          apollo,
          {
            path: '/graphql',
            maxBodyBytes: LIMITS.maxBodyBytes,
            gate,
            limiter,
            context: (principal) => createContext(rt, services, principal),
            fast: fast ?? undefined,
            logger: rt.logger,
          },
          app,
        ),
  );

  return {
    app,
    httpServer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const addr = httpServer.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      }),
    stop: async () => {
      stopFreshness();
      stopWatchingViews();
      offLifecycle();
      keyWatch.stop();
      stopRunMetrics();
      runStatus.close();
      unbridge();
      await apollo.stop();
      await redis?.close();
    },
  };
}

/** Body parser failures (too large, malformed JSON) as GraphQL-shaped errors with a code. */
function bodyErrors(
  err: { type?: string; status?: number; message?: string },
  _req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (err?.type === 'entity.too.large') {
    res.status(413).json({
      errors: [
        {
          message: `request body exceeds ${LIMITS.maxBodyBytes} bytes`,
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ],
    });
  } else if (err?.type === 'entity.parse.failed') {
    res.status(400).json({
      errors: [
        {
          message: `request body is not valid JSON: ${err.message}`,
          extensions: { code: 'BAD_USER_INPUT' },
        },
      ],
    });
  } else next(err);
}
