/**
 * The composition root of a `serve --role worker` process's HTTP side: only the probes
 * an orchestrator needs, on PORT. /healthz (public: the database answers), /readyz and
 * /metrics (behind the same key check as on an api instance: they name contracts and the
 * code version). No GraphQL, no WebSocket, no console: a worker executes runs, and
 * requests never share its event loop with them.
 */
import http from 'node:http';
import express from 'express';
import type { Runtime } from './runtime';
import { AuthGate, authModeFor, type AuthMode } from './auth/gate';
import { keyRequired } from './auth/http';
import { healthzHandler } from './observability/healthz';
import { observabilityRoutes } from './observability/routes';
import { enableProcessMetrics } from './observability/metrics';

export interface ProbeServer {
  httpServer: http.Server;
  /** Resolves once listening; returns the bound port (useful with PORT=0). */
  listen(port: number, host: string): Promise<number>;
  stop(): Promise<void>;
}

export function createWorkerProbeServer(rt: Runtime, opts: { authMode?: AuthMode } = {}): ProbeServer {
  const gate = new AuthGate(rt.keys, opts.authMode ?? authModeFor(rt.config), {
    logger: rt.logger,
    onFailure: (transport, reason) => rt.metrics.authFailures.inc({ transport, reason }),
  });
  enableProcessMetrics(rt.metrics);
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', healthzHandler(rt.store.features, rt.logger));
  app.use(
    observabilityRoutes({
      metrics: rt.metrics,
      store: rt.store,
      logger: rt.logger,
      starting: () => rt.startup.pending,
      guard: keyRequired(gate),
    }),
  );
  app.use((_req, res) => {
    res.status(404).json({ error: 'a worker serves only /healthz, /readyz and /metrics' });
  });
  const httpServer = http.createServer(app);
  return {
    httpServer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const addr = httpServer.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      }),
  };
}
