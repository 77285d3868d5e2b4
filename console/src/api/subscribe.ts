/**
 * The one graphql-ws connection of the page (subscriptions only). Its key travels as
 * `connectionParams.authorization`, the same as the explorer sends it; a refused or
 * missing key (close 4401 / 4403) shows the key prompt instead of retrying forever.
 */
import { createClient, type Client } from 'graphql-ws';
import { authorizationHeader, requireKey, storedKey } from '../auth/key-store';

const CLOSES: Record<number, string> = {
  4401: 'the live updates need an API key',
  4403: 'the live updates were refused for this key',
};

let client: Client | null = null;
let clientKey: string | null = null;
const connectedListeners = new Set<() => void>();

/** Whether the socket is open now, for the page's "live" indicator. */
let live = false;
const liveListeners = new Set<() => void>();
function setLive(next: boolean): void {
  if (live === next) return;
  live = next;
  for (const l of liveListeners) l();
}
export function isLive(): boolean {
  return live;
}
export function onLiveChange(l: () => void): () => void {
  liveListeners.add(l);
  return () => liveListeners.delete(l);
}

function wsUrl(): string {
  return `${location.origin.replace(/^http/, 'ws')}/graphql`;
}

function current(): Client {
  const key = storedKey();
  if (client && clientKey === key) return client;
  client?.dispose();
  clientKey = key;
  client = createClient({
    url: wsUrl(),
    lazy: true,
    connectionParams: () => authorizationHeader(),
    retryAttempts: Infinity,
    shouldRetry: (e) => !(isClose(e) && CLOSES[e.code]),
    on: {
      connected: () => {
        setLive(true);
        for (const l of connectedListeners) l();
      },
      closed: (e) => {
        setLive(false);
        // graphql-ws closes a refused connection with a bare "Forbidden": say it in words.
        if (isClose(e) && CLOSES[e.code])
          requireKey(e.reason && e.reason !== 'Forbidden' ? e.reason : CLOSES[e.code]!);
      },
    },
  });
  return client;
}

function isClose(e: unknown): e is CloseEvent {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'number';
}

export interface Subscription {
  unsubscribe(): void;
}

/**
 * Calls `onData` with each event; `onConnected` runs on every (re)connection, when a
 * page should read its list again to catch what changed while it was away.
 */
export function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  handlers: { onData: (data: T) => void; onError?: (message: string) => void; onConnected?: () => void },
): Subscription {
  const onConnected = handlers.onConnected;
  if (onConnected) connectedListeners.add(onConnected);
  const stop = current().subscribe<T>(
    { query, variables },
    {
      next: (r) => {
        if (r.data) handlers.onData(r.data);
        else if (r.errors?.[0]) handlers.onError?.(r.errors[0].message);
      },
      error: (e) =>
        handlers.onError?.(isClose(e) ? (CLOSES[e.code] ?? `connection closed (${e.code})`) : String(e)),
      complete: () => undefined,
    },
  );
  return {
    unsubscribe: () => {
      if (onConnected) connectedListeners.delete(onConnected);
      stop();
    },
  };
}
