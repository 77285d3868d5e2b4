/**
 * GraphQL subscriptions over graphql-ws on the HTTP server's /graphql path.
 * Apollo's validation rules, plugins and HTTP middleware do not run here, so the
 * same checks are repeated: the API key (connectionParams.authorization) on
 * connect, and on every subscribe the limits (limits.ts, through document-cache.ts), the per-caller rate
 * limit and the cap on concurrent subscriptions. Parse and validation results are
 * cached per query text, and subscribers that would execute the same thing for an
 * event share one execution (subscription-execution.ts).
 */
import type http from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { createErrorFormatter } from './error-format';
import { asUnavailable } from '../errors';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Runtime } from '../runtime';
import { createContext, type Services } from './context';
import { limitErrors, limitRules } from './limits';
import { sharedSubscribe } from './subscription-execution';
import { DocumentCache } from './document-cache';
import type { AuthGate } from '../auth/gate';
import type { RateLimiter, SubscriptionCounter } from '../auth/rate-limit';
import type { Principal } from '../auth/roles';

export interface WebSocketHandle {
  dispose(): Promise<void>;
}

export interface WebSocketAccess {
  gate: AuthGate;
  limiter: RateLimiter;
  subscriptions: SubscriptionCounter;
}

type ConnectionState = {
  principal?: Principal;
  caller?: string;
  active?: Set<string>;
};

const limited = (message: string) => [new GraphQLError(message, { extensions: { code: 'RATE_LIMITED' } })];

export function attachWebSocket(
  httpServer: http.Server,
  schema: GraphQLSchema,
  rt: Runtime,
  services: Services,
  access: WebSocketAccess,
): WebSocketHandle {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  const documents = new DocumentCache({ schema, validationRules: limitRules() });
  const formatError = createErrorFormatter(rt.logger);
  const cleanup = useServer<Record<string, unknown>, ConnectionState>(
    {
      schema,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const auth = (params.authorization ?? params.Authorization) as string | undefined;
        try {
          const principal = await access.gate.principal(auth);
          Object.assign(ctx.extra, {
            principal,
            caller: principal.keyId ?? 'anonymous',
            active: new Set<string>(),
          });
          return true;
        } catch (err) {
          const unavailable = asUnavailable(err);
          if (unavailable) {
            // The key may be fine: close with 1013 "try again later", not 4403 Forbidden,
            // so clients reconnect instead of giving up on their credentials.
            rt.logger.warn(
              { reason: unavailable.message },
              'websocket connection refused: database unavailable',
            );
            ctx.extra.socket.close(1013, 'the database is unreachable; retry later');
            return false;
          }
          rt.logger.warn({ reason: (err as Error).message }, 'websocket connection refused');
          return false;
        }
      },
      context: (ctx) => createContext(rt, services, ctx.extra.principal!),
      subscribe: sharedSubscribe((principal) => createContext(rt, services, principal)),
      onSubscribe: (ctx, id, payload) => {
        const caller = ctx.extra.caller!;
        if (!access.limiter.take(caller)) return limited('rate limit exceeded: slow down and retry');
        // No length limit on this cache: graphql-ws's payload limit bounds the text.
        const checked = documents.get(payload.query)!;
        if (checked.errors) return checked.errors;
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
