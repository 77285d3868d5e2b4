/**
 * Subscribes to runStatusChanged for as long as the component is shown; `onRun` gets
 * each run as it changes, `onConnected` each (re)connection after the first, when a
 * page reads its list again to catch what changed while the socket was away.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { isLive, onLiveChange, subscribe } from '../api/subscribe';
import { RUN_STATUS_CHANGED } from '../api/queries';
import type { RunSummary } from '../api/types';
import { useAuthGeneration } from './useQuery';

export function useLiveRuns(
  /** null: no subscription (the page has nothing live to follow). */
  filter: { contract?: string | null; environment?: string | null } | null,
  onRun: (run: RunSummary) => void,
  onReconnected?: () => void,
): void {
  const handlers = useRef({ onRun, onReconnected });
  handlers.current = { onRun, onReconnected };
  const generation = useAuthGeneration();
  const enabled = filter !== null;
  const contract = filter?.contract ?? null;
  const environment = filter?.environment ?? null;

  useEffect(() => {
    if (!enabled) return;
    let connections = 0;
    const sub = subscribe<{ runStatusChanged: RunSummary }>(
      RUN_STATUS_CHANGED,
      { contract, environment },
      {
        onData: (d) => handlers.current.onRun(d.runStatusChanged),
        onConnected: () => {
          if (connections++ > 0) handlers.current.onReconnected?.();
        },
        onError: (m) => console.warn(`live run updates: ${m}`),
      },
    );
    return () => sub.unsubscribe();
  }, [enabled, contract, environment, generation]);
}

/** Whether live updates flow now (the WebSocket is open). */
export function useLive(): boolean {
  return useSyncExternalStore(onLiveChange, isLive);
}

/** Calls `fn` at most once per `ms`, the last call winning (bursts of run events). */
export function throttle(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, ms);
  };
}
