/**
 * GET /metrics (Prometheus text format) and GET /readyz (ready to serve: start-up has
 * finished (contracts synced, orphans recovered), the database answers and every
 * migration is applied). Both name contracts and the code
 * version, so the server puts `guard` in front of them: an API key (any role) wherever
 * keys are required. /healthz stays in server.ts and says only "ok": liveness must not
 * depend on migrations, and it is public.
 */
import { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from './metrics';

export interface ObservabilityDeps {
  metrics: Metrics;
  /** The store: reading its migration status is the readiness probe. */
  store: MigrationProbe;
  logger: Logger;
  /** Refreshes the freshness gauges before each scrape, when given. */
  freshness?: { refresh(): Promise<unknown> };
  /** How long /readyz and the freshness refresh wait for the database (default 2000 ms). */
  timeoutMs?: number;
  /** Runs before /metrics and /readyz (the server's key check); none: open to all. */
  guard?: RequestHandler;
  /** The start-up step still running (runtime.ts StartupState); null once started. */
  starting?: () => string | null;
}

export interface MigrationProbe {
  migrationStatus(): Promise<{ applied: string[]; pending: string[] }>;
}

export interface Readiness {
  ready: boolean;
  /** Why it is not ready; empty when ready. */
  reasons: string[];
  migrations?: { applied: number; pending: string[] };
}

export function observabilityRoutes(deps: ObservabilityDeps): Router {
  const router = Router();
  const timeoutMs = deps.timeoutMs ?? 2000;
  if (deps.guard) router.use(['/metrics', '/readyz'], deps.guard);

  router.get('/metrics', async (_req, res) => {
    if (deps.freshness) {
      try {
        await withTimeout(deps.freshness.refresh(), timeoutMs, 'freshness refresh');
      } catch (err) {
        // Serve every other metric; the freshness gauges keep their last values.
        deps.logger.warn({ err }, 'freshness gauges not refreshed for this scrape');
      }
    }
    res.set('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  router.get('/readyz', async (_req, res) => {
    const step = deps.starting?.() ?? null;
    const r = step
      ? { ready: false, reasons: [`starting: ${step}`] }
      : await readiness(deps.store, timeoutMs);
    if (!r.ready) deps.logger.warn({ reasons: r.reasons }, 'not ready');
    res.status(r.ready ? 200 : 503).json({ status: r.ready ? 'ready' : 'unavailable', ...r });
  });

  return router;
}

/**
 * Reading the migration table is the reachability probe too: it needs a working
 * connection, so one query answers both questions.
 */
export async function readiness(store: MigrationProbe, timeoutMs: number): Promise<Readiness> {
  let status: { applied: string[]; pending: string[] };
  try {
    status = await withTimeout(store.migrationStatus(), timeoutMs, 'database');
  } catch (err) {
    return { ready: false, reasons: [`database unreachable: ${(err as Error).message}`] };
  }
  const migrations = { applied: status.applied.length, pending: status.pending };
  if (status.pending.length > 0) {
    return { ready: false, reasons: [`migrations pending: ${status.pending.join(', ')}`], migrations };
  }
  return { ready: true, reasons: [], migrations };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
