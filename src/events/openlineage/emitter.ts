/**
 * The OpenLineage emitter: listens to the run event bus and sends START, COMPLETE
 * and FAIL run events to the configured transports. Fire and forget: a listener
 * only queues work, so a slow or failing receiver never slows or fails a run; every
 * failure is logged and counted (tidemark_openlineage_events_total{outcome="failed"}).
 * Events of one run are delivered in order; runs do not wait for each other.
 */
import type { Logger } from 'pino';
import type { Repositories } from '../../store/store';
import type { RegisteredContract } from '../../domain/registered-contract';
import type { Run } from '../../domain/run';
import type { RunListener } from '../../domain/run';
import type { Metrics } from '../../observability/metrics';
import { DEFAULT_PRODUCER, type LineageRunEvent } from './event.types';
import { buildRunEvent, lineageEventType, type LineageSettings } from './event-builder';
import { fileTransport, httpTransport, type LineageTransport } from './transports';

export interface OpenLineageEmitterOptions {
  bus: { subscribe(listener: RunListener): () => void };
  store: Pick<Repositories, 'contracts' | 'rawBatches'>;
  logger: Logger;
  /** The job namespace, e.g. `tidemark` or `tidemark-prod`. */
  namespace: string;
  /** POST each event here (Marquez: http://host:5000/api/v1/lineage). */
  endpointUrl?: string;
  /** Append each event as one JSON line to this file. */
  filePath?: string;
  /** HTTP timeout per event (default 5000 ms). */
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** The producer URL; default DEFAULT_PRODUCER plus the code version. */
  producer?: string;
  codeVersion?: string;
  metrics?: Metrics;
  /** Events queued or in flight beyond which new ones are dropped, and counted (default 1000). */
  maxPending?: number;
  /** Use these instead of the ones endpointUrl and filePath make. */
  transports?: LineageTransport[];
}

export interface OpenLineageEmitter {
  /** Resolves once every event queued so far was delivered or given up on. */
  flush(): Promise<void>;
  /** Stops listening, then flushes. */
  close(): Promise<void>;
}

export function createOpenLineageEmitter(opts: OpenLineageEmitterOptions): OpenLineageEmitter {
  const transports = opts.transports ?? defaultTransports(opts);
  if (transports.length === 0) return { flush: async () => {}, close: async () => {} };
  const settings: LineageSettings = { namespace: opts.namespace, producer: producerOf(opts) };
  const log = opts.logger.child({ component: 'openlineage' });
  const count = (transport: string, outcome: 'sent' | 'failed' | 'dropped') =>
    opts.metrics?.lineageEvents.inc({ transport, outcome });
  const contractOf = contractCache(opts.store);
  const queues = new RunQueues(opts.maxPending ?? 1000);

  const deliver = async (run: Run): Promise<void> => {
    let event: LineageRunEvent | null;
    try {
      const [contract, rawBatches] = await Promise.all([
        contractOf(run),
        opts.store.rawBatches.forRun(run.id),
      ]);
      event = buildRunEvent({ run, contract, rawBatches }, settings);
    } catch (err) {
      log.warn({ err, runId: run.id, status: run.status }, 'OpenLineage event not built');
      for (const t of transports) count(t.kind, 'failed');
      return;
    }
    if (!event) return;
    const e = event;
    await Promise.all(
      transports.map((t) =>
        t.send(e).then(
          () => count(t.kind, 'sent'),
          (err: unknown) => {
            count(t.kind, 'failed');
            log.warn(
              { err, runId: run.id, eventType: e.eventType, transport: t.kind },
              'OpenLineage event not delivered',
            );
          },
        ),
      ),
    );
  };

  const unsubscribe = opts.bus.subscribe((run) => {
    if (!lineageEventType(run.status)) return;
    if (queues.push(run.id, () => deliver(run))) return;
    for (const t of transports) count(t.kind, 'dropped');
    log.warn({ runId: run.id, status: run.status }, 'OpenLineage queue full: event dropped');
  });

  return {
    flush: () => queues.drain(),
    close: async () => {
      unsubscribe();
      await queues.drain();
    },
  };
}

function defaultTransports(opts: OpenLineageEmitterOptions): LineageTransport[] {
  const out: LineageTransport[] = [];
  if (opts.endpointUrl)
    out.push(httpTransport({ url: opts.endpointUrl, timeoutMs: opts.timeoutMs, headers: opts.headers }));
  if (opts.filePath) out.push(fileTransport(opts.filePath));
  return out;
}

function producerOf(opts: OpenLineageEmitterOptions): string {
  if (opts.producer) return opts.producer;
  return opts.codeVersion ? `${DEFAULT_PRODUCER}/${encodeURIComponent(opts.codeVersion)}` : DEFAULT_PRODUCER;
}

/** Registered versions never change, so each is read once. */
function contractCache(
  store: Pick<Repositories, 'contracts'>,
): (run: Run) => Promise<RegisteredContract | null> {
  const cache = new Map<string, Promise<RegisteredContract | null>>();
  return (run) => {
    const key = `${run.contractName}@${run.contractVersion}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = store.contracts.findVersion(run.contractName, run.contractVersion);
      // A failed read is not cached: the next event tries again.
      hit.catch(() => cache.delete(key));
      cache.set(key, hit);
    }
    return hit;
  };
}

/** One promise chain per run (in-order delivery), with a cap on the work outstanding. */
class RunQueues {
  private readonly chains = new Map<string, Promise<void>>();
  private pending = 0;

  constructor(private readonly max: number) {}

  push(key: string, task: () => Promise<void>): boolean {
    if (this.pending >= this.max) return false;
    this.pending++;
    const next: Promise<void> = (this.chains.get(key) ?? Promise.resolve())
      .then(task)
      .catch(() => undefined)
      .finally(() => {
        this.pending--;
        if (this.chains.get(key) === next) this.chains.delete(key);
      });
    this.chains.set(key, next);
    return true;
  }

  async drain(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }
}
