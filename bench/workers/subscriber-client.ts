/**
 * A share of the events case's subscribers, in its own process: `--mode graphql`
 * opens graphql-ws clients subscribed to runStatusChanged, `--mode plain` plain ws
 * clients for the bare broadcast. Connects `--count` of them in batches (a thousand
 * WebSocket handshakes at once on a busy machine run into graphql-ws's connection
 * init timeout), then answers the parent's `count` / `collect` / `reset` requests.
 *
 * Each receipt is timestamped in the socket's first `message` listener, before the
 * client library parses it, on the machine clock shared with the server process
 * (`performance.timeOrigin + performance.now()`): the same point for both modes.
 */
import { WebSocket } from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { tell, untilStopped, workerArgs } from '../lib/child';
import { wallMs } from '../lib/stats';

interface Receipt {
  id: string;
  status: string;
  at: number;
}

const a = workerArgs();
const count = Number(a.count);
const BATCH = 50;
const SUBSCRIPTION = 'subscription { runStatusChanged { id status } }';

/** Raw receipt times per socket, in arrival order; parsed when collected. */
const raw: Array<Array<{ data: string; at: number }>> = Array.from({ length: count }, () => []);
const closers: Array<() => void> = [];

/** A ws client that stamps every message before anyone else sees it. */
function timedSocket(i: number) {
  return class extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      this.on('message', (data) => raw[i]!.push({ data: String(data), at: wallMs() }));
    }
  };
}

function connectGraphql(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const client: Client = createClient({
      url: a.url!,
      webSocketImpl: timedSocket(i),
      lazy: false,
      retryAttempts: 0,
      on: {
        connected: () => resolve(),
        error: reject,
        closed: (e) =>
          reject(new Error(`subscriber ${i} closed: ${(e as { reason?: string }).reason ?? ''}`)),
      },
    });
    closers.push(() => void client.dispose());
    client.subscribe(
      { query: SUBSCRIPTION },
      { next: () => {}, error: (err) => console.error('bench: subscription error', err), complete: () => {} },
    );
  });
}

function connectPlain(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new (timedSocket(i))(a.url!);
    closers.push(() => ws.terminate());
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
}

function receipts(): Receipt[][] {
  return raw.map((list) =>
    list.flatMap(({ data, at }) => {
      const m = JSON.parse(data) as {
        type?: string;
        payload?: { data?: { runStatusChanged?: { id: string; status: string } } };
      };
      const r = m.type === 'next' ? m.payload?.data?.runStatusChanged : undefined;
      return r ? [{ id: r.id, status: r.status.toLowerCase(), at }] : [];
    }),
  );
}

const connect = a.mode === 'graphql' ? connectGraphql : connectPlain;
for (let start = 0; start < count; start += BATCH) {
  await Promise.all(Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => connect(start + k)));
}
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'reset') {
    for (const list of raw) list.length = 0;
    void tell('reset-done');
  } else if (m?.type === 'count') {
    // The fewest messages any of this process's subscribers has had since the reset
    // (only `next` messages arrive then: no keep-alive pings are configured).
    let min = Infinity;
    for (const list of raw) min = Math.min(min, list.length);
    void tell('count', min);
  } else if (m?.type === 'collect') void tell('receipts', receipts());
});
await tell('ready', { count });
await untilStopped();
for (const close of closers) close();
process.exit(0);
