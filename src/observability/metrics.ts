/**
 * Prometheus metrics (prom-client): runs, rows, run durations, feature freshness,
 * GraphQL request durations and OpenLineage deliveries. Every metric lives in one
 * registry handed in (or made here), never prom-client's global one, so tests and
 * several runtimes in one process never share counters.
 */
import type { StreamMetrics } from '../domain/stream';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Run, RunStatus } from '../domain/run';
import type { RunListener } from '../domain/run';

type RunLabels = 'contract' | 'environment';
type ViewLabels = 'contract' | 'environment' | 'major';

export interface Metrics {
  readonly registry: Registry;
  /** Terminal transitions: succeeded, failed, and later rolled_back or superseded. */
  readonly runs: Counter<RunLabels | 'status' | 'trigger'>;
  readonly rowsRead: Counter<RunLabels>;
  readonly rowsValid: Counter<RunLabels>;
  readonly rowsRejected: Counter<RunLabels>;
  readonly rowsWritten: Counter<RunLabels>;
  /** started → finished of succeeded and failed runs. */
  readonly runDuration: Histogram<RunLabels | 'status'>;
  /** Seconds since the newest visible event time of a feature view. */
  readonly freshness: Gauge<ViewLabels>;
  /** 1 when the view is older than its contract's `sla.freshness`. */
  readonly stale: Gauge<ViewLabels>;
  readonly freshnessSla: Gauge<ViewLabels>;
  readonly graphqlDuration: Histogram<'operation' | 'type' | 'outcome'>;
  /** OpenLineage events by transport and outcome (sent, failed, dropped). */
  readonly lineageEvents: Counter<'transport' | 'outcome'>;
  /** Streaming sources: messages committed, rejected, and the broker-reported lag. */
  readonly streamConsumed: Counter<'contract' | 'environment'>;
  readonly streamRejected: Counter<'contract' | 'environment'>;
  readonly streamLag: Gauge<'contract' | 'environment'>;
  /** Refused authentications by transport (http, websocket) and reason (missing, malformed, unknown, revoked, rate_limited). */
  readonly authFailures: Counter<'transport' | 'reason'>;
}

export interface MetricsOptions {
  /** Also export Node.js process metrics (CPU, memory, event loop lag): on for the server. */
  processMetrics?: boolean;
}

export function createMetrics(registry: Registry = new Registry(), opts: MetricsOptions = {}): Metrics {
  const registers = [registry];
  const rows = (what: string) =>
    new Counter({
      name: `tidemark_rows_${what}_total`,
      help: `Rows ${what} by finished runs.`,
      labelNames: ['contract', 'environment'] as const,
      registers,
    });
  const view = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: ['contract', 'environment', 'major'] as const, registers });
  const stream = { labelNames: ['contract', 'environment'] as const, registers };
  const metrics: Metrics = {
    registry,
    streamConsumed: new Counter({
      name: 'tidemark_stream_messages_consumed_total',
      help: 'Stream messages in committed micro-batches.',
      ...stream,
    }),
    streamRejected: new Counter({
      name: 'tidemark_stream_messages_rejected_total',
      help: 'Stream messages that went to the rejects.',
      ...stream,
    }),
    streamLag: new Gauge({
      name: 'tidemark_stream_lag_messages',
      help: 'Messages the broker holds that are not consumed yet.',
      ...stream,
    }),
    runs: new Counter({
      name: 'tidemark_runs_total',
      help: 'Runs that reached a terminal status (succeeded, failed, rolled_back, superseded).',
      labelNames: ['contract', 'environment', 'status', 'trigger'] as const,
      registers,
    }),
    rowsRead: rows('read'),
    rowsValid: rows('valid'),
    rowsRejected: rows('rejected'),
    rowsWritten: rows('written'),
    runDuration: new Histogram({
      name: 'tidemark_run_duration_seconds',
      help: 'Run duration from start to finish, of succeeded and failed runs.',
      labelNames: ['contract', 'environment', 'status'] as const,
      // Runs range from a pushed handful of records to hour-long backfills.
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
      registers,
    }),
    freshness: view(
      'tidemark_feature_freshness_seconds',
      'Seconds since the newest visible event time of a feature view.',
    ),
    stale: view('tidemark_feature_stale', '1 when a feature view is older than its sla.freshness, else 0.'),
    freshnessSla: view(
      'tidemark_feature_freshness_sla_seconds',
      'The sla.freshness of the active contract version.',
    ),
    graphqlDuration: new Histogram({
      name: 'tidemark_graphql_request_duration_seconds',
      help: 'GraphQL request duration by operation name, operation type and outcome.',
      labelNames: ['operation', 'type', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    authFailures: new Counter({
      name: 'tidemark_auth_failures_total',
      help: 'Refused authentications by transport and reason (missing, malformed, unknown, revoked, rate_limited).',
      labelNames: ['transport', 'reason'] as const,
      registers,
    }),
    lineageEvents: new Counter({
      name: 'tidemark_openlineage_events_total',
      help: 'OpenLineage run events by transport and outcome (sent, failed, dropped).',
      labelNames: ['transport', 'outcome'] as const,
      registers,
    }),
  };
  if (opts.processMetrics) enableProcessMetrics(metrics);
  return metrics;
}

const withProcessMetrics = new WeakSet<Registry>();

/** Adds Node.js process metrics (CPU, memory, event loop lag) to the registry, once. */
export function enableProcessMetrics(metrics: Metrics): void {
  // prom-client refuses to register the same default metrics twice in one registry.
  if (withProcessMetrics.has(metrics.registry)) return;
  collectDefaultMetrics({ register: metrics.registry });
  withProcessMetrics.add(metrics.registry);
}

const TERMINAL: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'rolled_back', 'superseded']);

/** Records one run status change; non-terminal ones (queued, running) count nothing. */
export function recordRunEvent(metrics: Metrics, run: Run): void {
  if (!TERMINAL.has(run.status)) return;
  const labels = { contract: run.contractName, environment: run.environment };
  metrics.runs.inc({ ...labels, status: run.status, trigger: run.trigger });
  // rolled_back and superseded come later to a run whose rows and duration were counted when it finished.
  if (run.status !== 'succeeded' && run.status !== 'failed') return;
  metrics.rowsRead.inc(labels, run.counts.read);
  metrics.rowsValid.inc(labels, run.counts.valid);
  metrics.rowsRejected.inc(labels, run.counts.rejected);
  metrics.rowsWritten.inc(labels, run.counts.written);
  if (run.startedAt !== null && run.finishedAt !== null) {
    metrics.runDuration.observe(
      { ...labels, status: run.status },
      Math.max(0, run.finishedAt - run.startedAt) / 1000,
    );
  }
}

/** Feeds run metrics from the run event bus; returns the unsubscribe function. */
export function attachRunMetrics(
  bus: { subscribe(listener: RunListener): () => void },
  metrics: Metrics,
): () => void {
  return bus.subscribe((run) => recordRunEvent(metrics, run));
}

/** Binds the streaming consumers' counters to Prometheus. */
export function streamMetrics(m: Metrics): StreamMetrics {
  return {
    consumed: (contract, environment, n) => m.streamConsumed.inc({ contract, environment }, n),
    rejected: (contract, environment, n) => m.streamRejected.inc({ contract, environment }, n),
    lag: (contract, environment, lag) => {
      if (lag === null) m.streamLag.remove({ contract, environment });
      else m.streamLag.set({ contract, environment }, lag);
    },
  };
}
