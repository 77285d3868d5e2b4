/**
 * An Apollo Server plugin that records every GraphQL request's duration by operation
 * name, operation type and outcome. Subscriptions over graphql-ws do not pass through
 * Apollo and are not measured here.
 */
import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Metrics } from '../observability/metrics';
import { mirrored } from './mirrored';

export interface GraphqlMetricsOptions {
  /** Distinct operation names kept as labels before the rest become `other` (default 200). */
  maxOperations?: number;
}

/** Operation names come from clients: only tidy names become labels, and only so many. */
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/**
 * One request's measurement, shared by the Apollo plugin below and the fast execution
 * path (src/graphql/fast-execution.ts), so both label and time requests alike, with
 * one set of operation labels between them.
 */
export interface GraphqlRequestMetrics {
  /** Wall time now, for `record`'s `startedAt` (not the domain clock tests control). */
  start(): number;
  record(operation: string | null, type: string, failed: boolean, startedAt: number): void;
}

export function graphqlRequestMetrics(
  metrics: Metrics,
  opts: GraphqlMetricsOptions = {},
): GraphqlRequestMetrics {
  const label = operationLabeller(opts.maxOperations ?? 200);
  return {
    start: () => performance.now(),
    record(operation, type, failed, startedAt) {
      metrics.graphqlDuration.observe(
        { operation: label(operation), type, outcome: failed ? 'error' : 'ok' },
        (performance.now() - startedAt) / 1000,
      );
    },
  };
}

export function graphqlMetricsPlugin<T extends BaseContext = BaseContext>(
  metrics: Metrics | GraphqlRequestMetrics,
  opts: GraphqlMetricsOptions = {},
): ApolloServerPlugin<T> {
  const requests = 'record' in metrics ? metrics : graphqlRequestMetrics(metrics, opts);
  return mirrored({
    async requestDidStart(start) {
      const t0 = requests.start();
      let operation = start.request.operationName ?? null;
      let type = 'unknown';
      return {
        async didResolveOperation(rc) {
          operation = rc.operationName ?? null;
          type = rc.operation?.operation ?? 'unknown';
        },
        async willSendResponse(rc) {
          const failed =
            (rc.errors?.length ?? 0) > 0 ||
            (rc.response.body.kind === 'single' && !!rc.response.body.singleResult.errors?.length);
          requests.record(operation, type, failed, t0);
        },
      };
    },
  });
}

/** Maps raw operation names to bounded label values: anonymous, invalid, other, or the name. */
export function operationLabeller(max: number): (name: string | null) => string {
  const seen = new Set<string>();
  return (name) => {
    if (!name) return 'anonymous';
    if (!NAME_RE.test(name)) return 'invalid';
    if (seen.has(name)) return name;
    if (seen.size >= max) return 'other';
    seen.add(name);
    return name;
  };
}
