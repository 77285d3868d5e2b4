/**
 * The composition root: runtime (store, registry, …) + HTTP + GraphQL. Nothing
 * below this file knows it is served over HTTP.
 */
import http from 'node:http';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Runtime } from './runtime';
import { buildTidemarkSchema } from './graphql/schema';
import { createErrorFormatter } from './graphql/error-format';
import { createServices, type GraphQLContext } from './graphql/context';

export interface TidemarkServer {
  app: express.Express;
  httpServer: http.Server;
  /** Resolves once listening; returns the bound port (useful with PORT=0). */
  listen(port: number, host: string): Promise<number>;
  stop(): Promise<void>;
}

export const MAX_BODY_BYTES = 1_000_000;

export async function createServer(rt: Runtime): Promise<TidemarkServer> {
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const schema = await buildTidemarkSchema();
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError: createErrorFormatter(rt.logger),
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
    introspection: true,
  });
  await apollo.start();
  const services = createServices(rt);

  app.get('/healthz', async (_req, res) => {
    try {
      await rt.store.db.raw('select 1');
      res.json({ status: 'ok', codeVersion: rt.codeVersion, engine: rt.store.engine });
    } catch (err) {
      rt.logger.error({ err }, 'health check failed');
      res.status(503).json({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
  app.use(
    '/graphql',
    express.json({ limit: MAX_BODY_BYTES }),
    expressMiddleware(apollo, {
      context: async () => ({ services, actor: 'anonymous', logger: rt.logger }),
    }),
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
      await apollo.stop();
    },
  };
}
