/**
 * GraphQL subscriptions over graphql-ws on the HTTP server's /graphql path.
 * Apollo's validation rules and plugins do not run here, so the same limits are
 * applied in onSubscribe.
 */
import type http from 'node:http';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, parse, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import type { Runtime } from '../runtime';
import { createContext, type Services } from './context';
import { limitRules } from './limits';

export interface WebSocketHandle {
  dispose(): Promise<void>;
}

export function attachWebSocket(httpServer: http.Server, schema: GraphQLSchema, rt: Runtime, services: Services): WebSocketHandle {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const rules = [...specifiedRules, ...limitRules()];
  const cleanup = useServer(
    {
      schema,
      context: () => createContext(rt, services, 'anonymous'),
      onSubscribe: (_ctx, _id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch (err) {
          return [err as GraphQLError];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) return errors.map((e) => new GraphQLError(e.message, { extensions: { code: e.extensions.code ?? 'GRAPHQL_VALIDATION_FAILED' } }));
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
