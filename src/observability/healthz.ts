/**
 * GET /healthz: public, so it says nothing but whether this process can reach its
 * database. The ping reads on the online reads' own connection where there is one, so a
 * run's long write transaction on the pool never makes a live process look dead.
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';

export function healthzHandler(store: { ping(): Promise<void> }, logger: Logger) {
  return async (_req: Request, res: Response): Promise<void> => {
    try {
      await store.ping();
      res.json({ status: 'ok' });
    } catch (err) {
      logger.error({ err }, 'health check failed');
      res.status(503).json({ status: 'unavailable' });
    }
  };
}
