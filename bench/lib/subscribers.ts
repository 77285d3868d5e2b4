/**
 * Many WebSocket subscribers in this process, each recording when it received
 * which status change: graphql-ws clients subscribed to runStatusChanged, or plain
 * ws clients for the bare broadcast baseline.
 */
import { WebSocket } from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { wallMs } from './stats';

export interface Receipt {
  id: string;
  status: string;
  at: number;
}

export interface Subscribers {
  receipts: Receipt[][];
  close(): Promise<void>;
}

const SUBSCRIPTION = 'subscription { runStatusChanged { id status } }';

export async function graphqlSubscribers(url: string, n: number): Promise<Subscribers> {
  const receipts: Receipt[][] = Array.from({ length: n }, () => []);
  const clients: Client[] = [];
  await Promise.all(
    Array.from(
      { length: n },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          const client = createClient({
            url,
            webSocketImpl: WebSocket,
            lazy: false,
            retryAttempts: 0,
            on: { connected: () => resolve(), error: reject },
          });
          clients.push(client);
          client.subscribe<{ runStatusChanged: { id: string; status: string } }>(
            { query: SUBSCRIPTION },
            {
              next: (m) => {
                const r = m.data?.runStatusChanged;
                if (r) receipts[i]!.push({ id: r.id, status: r.status.toLowerCase(), at: wallMs() });
              },
              error: (err) => console.error('bench: subscription error', err),
              complete: () => {},
            },
          );
        }),
    ),
  );
  return { receipts, close: async () => void (await Promise.all(clients.map((c) => c.dispose()))) };
}

export async function plainSubscribers(url: string, n: number): Promise<Subscribers> {
  const receipts: Receipt[][] = Array.from({ length: n }, () => []);
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      (_, i) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.on('message', (data) => {
            const r = (
              JSON.parse(String(data)) as {
                payload: { data: { runStatusChanged: { id: string; status: string } } };
              }
            ).payload.data.runStatusChanged;
            receipts[i]!.push({ id: r.id, status: r.status.toLowerCase(), at: wallMs() });
          });
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        }),
    ),
  );
  return {
    receipts,
    close: async () => {
      for (const s of sockets) s.terminate();
    },
  };
}
