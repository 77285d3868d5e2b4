/**
 * A running run's lease: renewed three times a lease on the store's lease connection
 * (never behind this process's own work on the pool), one renewal at a time.
 */
import type { Logger } from 'pino';
import { asUnavailable } from '../errors';
import type { Clock } from '../clock';
import type { Store } from '../store/store';

export interface HeartbeatDeps {
  store: Store;
  clock: Clock;
  instanceId: string;
  leaseMs: number;
}

/**
 * A renewal that finds the database locked (SQLite: a commit, often this run's own, holds
 * the write lock) is only noted: the lease may lapse meanwhile, and the sweep of any
 * process on this host sees this one alive and leaves the run alone (dispatcher.ts).
 */
export function startHeartbeat(deps: HeartbeatDeps, id: string, log: Logger): { stop(): void } {
  let stopped = false;
  let inFlight = false;
  const beat = async () => {
    if (inFlight || stopped) return;
    inFlight = true;
    try {
      const until = deps.clock.now() + deps.leaseMs;
      if (!(await deps.store.leases.extend(id, deps.instanceId, until)) && !stopped)
        await leaseLost(deps.store, id, log);
    } catch (err) {
      if (stopped) return;
      const unavailable = asUnavailable(err);
      if (unavailable) log.debug({ error: unavailable.message }, 'run lease not renewed yet');
      else log.warn({ err }, 'run lease could not be extended');
    } finally {
      inFlight = false;
    }
  };
  const timer = setInterval(() => void beat(), Math.max(100, deps.leaseMs / 3));
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/**
 * A renewal found the run no longer running under this process: right after this
 * process's own commit or failure (the renewal waited for its lock), nothing to say;
 * recovered elsewhere as interrupted, this process's work on it will be refused at
 * the commit, and the operator hears it now.
 */
async function leaseLost(store: Store, id: string, log: Logger): Promise<void> {
  const now = await store.leases.state(id);
  if (now?.status === 'running' || (now?.status === 'failed' && now.errorKind === 'interrupted'))
    log.warn({ status: now.status, error: now.error }, 'run lease lost: the run was recovered elsewhere');
}
