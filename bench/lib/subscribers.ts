/**
 * The events case's subscribers, spread over CLIENT_PROCESSES worker processes
 * (bench/workers/subscriber-client.ts): graphql-ws clients subscribed to
 * runStatusChanged, or plain ws clients for the bare broadcast baseline. One
 * process holding a thousand clients measured itself: the last client's receipt
 * waited for the same process to parse and dispatch the 999 before it. Both legs use
 * the same processes, the same batching and the same receipt point.
 */
import { startWorker, type Worker } from './child';

export interface Receipt {
  id: string;
  status: string;
  at: number;
}

export interface Subscribers {
  /** Clears every subscriber's receipts. */
  reset(): Promise<void>;
  /** Waits until every subscriber has `want` receipts (or the deadline); false on timeout. */
  until(want: number, deadline: number): Promise<boolean>;
  /** Receipts per subscriber, in arrival order. */
  collect(): Promise<Receipt[][]>;
  close(): Promise<void>;
}

export const CLIENT_PROCESSES = 4;

export function graphqlSubscribers(url: string, n: number): Promise<Subscribers> {
  return spread('graphql', url, n);
}

export function plainSubscribers(url: string, n: number): Promise<Subscribers> {
  return spread('plain', url, n);
}

async function spread(mode: 'graphql' | 'plain', url: string, n: number): Promise<Subscribers> {
  const k = Math.min(CLIENT_PROCESSES, n);
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < k; i++) {
      const count = Math.floor(n / k) + (i < n % k ? 1 : 0);
      workers.push(
        await startWorker('subscriber-client.ts', ['--mode', mode, '--url', url, '--count', String(count)]),
      );
    }
    await Promise.all(workers.map((w) => w.next('ready')));
  } catch (err) {
    await Promise.all(workers.map((w) => w.stop()));
    throw err;
  }
  const ask = <T>(type: string, answer: string) =>
    Promise.all(
      workers.map((w) => {
        w.send({ type });
        return w.next<T>(answer);
      }),
    );
  return {
    reset: async () => void (await ask('reset', 'reset-done')),
    until: async (want, deadline) => {
      while (Date.now() < deadline) {
        const counts = await ask<number>('count', 'count');
        if (counts.every((c) => c >= want)) return true;
        await new Promise((r) => setTimeout(r, 25));
      }
      return false;
    },
    collect: async () => (await ask<Receipt[][]>('collect', 'receipts')).flat(),
    close: async () => void (await Promise.all(workers.map((w) => w.stop()))),
  };
}
