/**
 * GraphQL subscriptions over graphql-ws on the HTTP server's /graphql path.
 * Apollo's validation rules, plugins and HTTP middleware do not run here, so the
 * same checks are repeated: the API key (connectionParams.authorization) on
 * connect, and on every subscribe the limits (limits.ts, through document-cache.ts), the per-caller rate
 * limit and the cap on concurrent subscriptions. The key is re-checked while the
 * socket lives (auth/key-watch.ts): before every operation, and every few seconds for
 * all open sockets, which close with 4403 once their key is revoked or its role changed.
 * Parse and validation results are
 * cached per query text, and subscribers that would execute the same thing for an
 * event share one execution (subscription-execution.ts).
 */
import type http from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { createErrorFormatter } from './error-format';
import { RateLimitedError, asUnavailable } from '../errors';
import { GraphQLError } from 'graphql';
import type { Runtime } from '../runtime';
import { createContext, type Services } from './context';
import { limitErrors, limitRules } from './limits';
import { sharedSubscribe } from './subscription-execution';
import { currentSchema, documentsPerSchema, type SchemaSource } from './schema-source';
import type { AuthGate } from '../auth/gate';
import type { RateLimiter, SubscriptionCounter } from '../auth/rate-limit';
import type { KeyWatch } from '../auth/key-watch';
import type { Principal } from '../domain/role';

export interface WebSocketHandle {
  dispose(): Promise<void>;
}

export interface WebSocketAccess {
  gate: AuthGate;
  limiter: RateLimiter;
  subscriptions: SubscriptionCounter;
  /** Re-checks the keys of open sockets and before each operation. */
  keys: KeyWatch;
}

/** graphql-ws's Forbidden: the socket's key may not be used (any more). */
const FORBIDDEN_CLOSE = 4403;
/** graphql-ws's "too many requests" close code, here for too many failed authentications. */
const TOO_MANY_CLOSE = 4429;

type ConnectionState = {
  principal?: Principal;
  caller?: string;
  active?: Set<string>;
};

const limited = (message: string) => [new GraphQLError(message, { extensions: { code: 'RATE_LIMITED' } })];

export function attachWebSocket(
  httpServer: http.Server,
  schema: SchemaSource,
  rt: Runtime,
  services: Services,
  access: WebSocketAccess,
): WebSocketHandle {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  const documentsNow = documentsPerSchema(schema, { validationRules: limitRules() });
  const schemaNow = currentSchema(schema);
  const formatError = createErrorFormatter(rt.logger);
  const cleanup = useServer<Record<string, unknown>, ConnectionState>(
    {
      schema: () => schemaNow(),
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const auth = (params.authorization ?? params.Authorization) as string | undefined;
        const socket = ctx.extra.socket;
        try {
          const principal = await access.gate.principal(auth, {
            address: ctx.extra.request.socket.remoteAddress,
            transport: 'websocket',
          });
          Object.assign(ctx.extra, {
            principal,
            caller: principal.keyId ?? 'anonymous',
            active: new Set<string>(),
          });
          const unwatch = access.keys.watch(principal, (reason) => {
            rt.logger.warn({ keyId: principal.keyId, reason }, 'websocket closed: API key no longer valid');
            socket.close(FORBIDDEN_CLOSE, reason);
          });
          socket.once('close', unwatch);
          return true;
        } catch (err) {
          if (err instanceof RateLimitedError) {
            socket.close(TOO_MANY_CLOSE, err.message);
            return false;
          }
          const unavailable = asUnavailable(err);
          if (unavailable) {
            // The key may be fine: close with 1013 "try again later", not 4403 Forbidden,
            // so clients reconnect instead of giving up on their credentials.
            rt.logger.warn(
              { reason: unavailable.message },
              'websocket connection refused: database unavailable',
            );
            socket.close(1013, 'the database is unreachable; retry later');
            return false;
          }
          rt.logger.warn({ reason: (err as Error).message }, 'websocket connection refused');
          return false;
        }
      },
      context: (ctx) => createContext(rt, services, ctx.extra.principal!),
      subscribe: sharedSubscribe((principal) => createContext(rt, services, principal)),
      onSubscribe: async (ctx, id, payload) => {
        const caller = ctx.extra.caller!;
        if (!access.limiter.take(caller)) return limited('rate limit exceeded: slow down and retry');
        // No length limit on this cache: graphql-ws's payload limit bounds the text.
        const { schema, documents } = documentsNow();
        const checked = documents.get(payload.query)!;
        if (checked.errors) return checked.errors;
        // A mutation reads the key afresh; other operations may use a reading a few seconds old.
        const fresh = checked.operations.some((o) => o.operation === 'mutation');
        const refused = await recheckKey(ctx.extra, access.keys, fresh);
        if (refused) return refused;
        if (checked.variableSized) {
          const over = limitErrors(schema, checked.document, payload.variables ?? {});
          if (over.length > 0) return over;
        }
        if (!access.subscriptions.acquire(caller))
          return limited('too many concurrent subscriptions for this API key');
        ctx.extra.active!.add(id);
        // Already parsed and validated: graphql-ws takes these arguments as they are.
        return {
          schema,
          document: checked.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: createContext(rt, services, ctx.extra.principal!),
        };
      },
      onComplete: (ctx, id) => {
        if (ctx.extra.active?.delete(id)) access.subscriptions.release(ctx.extra.caller!);
      },
      onClose: (ctx) => {
        for (const _ of ctx.extra.active ?? []) access.subscriptions.release(ctx.extra.caller!);
        ctx.extra.active?.clear();
      },
      // Resolver errors in delivered events go through the one error mapping, as over HTTP
      // (codes, UNAVAILABLE for an unreachable database, no internal messages).
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors || result.errors.length === 0) return undefined;
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) };
      },
      onError: (_ctx, _id, _payload, errors) => {
        rt.logger.warn({ errors: errors.map((e) => e.message) }, 'websocket operation error');
      },
    },
    wss,
  );
  return {
    dispose: async () => {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * The socket's key, read again before an operation (`fresh`: from the database, else a
 * reading at most a few seconds old): a revoked key (or a changed role) closes the
 * socket with 4403 and refuses the operation.
 */
async function recheckKey(
  extra: ConnectionState & { socket: { close(code: number, reason: string): void } },
  keys: KeyWatch,
  fresh: boolean,
): Promise<GraphQLError[] | null> {
  let reason: string | null;
  try {
    reason = await keys.check(extra.principal!, fresh);
  } catch (err) {
    const unavailable = asUnavailable(err);
    if (!unavailable) throw err;
    return [new GraphQLError(unavailable.message, { extensions: { code: unavailable.code } })];
  }
  if (reason === null) return null;
  // After graphql-ws has sent the refusal (it sends once this hook resolves), not before.
  setImmediate(() => extra.socket.close(FORBIDDEN_CLOSE, reason));
  return [new GraphQLError(reason, { extensions: { code: 'UNAUTHENTICATED' } })];
}
