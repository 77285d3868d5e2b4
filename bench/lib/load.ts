/**
 * HTTP load with autocannon: a fixed number of POSTs over N keep-alive connections.
 * Latencies are taken from autocannon's per-response event (hrtime, sub-millisecond)
 * rather than its histogram, which rounds to whole milliseconds.
 */
import autocannon from 'autocannon';
import { percentile } from './stats';

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** The first non-2xx answer, to say why. */
  firstFailure?: string;
}

export async function load(opts: {
  url: string;
  connections: number;
  amount: number;
  body: () => string;
  /** Gets every response's latency (ms), e.g. to pool several loads into one percentile. */
  onLatency?: (ms: number) => void;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  let firstFailure: string | undefined;
  const t0 = performance.now();
  let last = t0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        amount: opts.amount,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (req) => ({ ...req, body: opts.body() }),
            onResponse: (status, body) => {
              if ((status < 200 || status > 299) && firstFailure === undefined)
                firstFailure = `${status} ${body.slice(0, 500)}`;
            },
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => {
      latencies.push(ms);
      opts.onLatency?.(ms);
      last = performance.now();
    });
  });
  const seconds = (last - t0) / 1000;
  return {
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    firstFailure,
  };
}
