/**
 * Loads a GraphQL query when its inputs change (and again when a key is accepted);
 * answers the data, the error to show, and a reload function.
 */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { AuthRequiredError, gql } from '../api/client';
import { authState, onAuthChange } from '../auth/key-store';

export interface QueryState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
  /** Replaces the data in place (live updates). */
  setData: (update: (d: T | null) => T | null) => void;
}

export function useAuthGeneration(): number {
  return useSyncExternalStore(onAuthChange, () => authState().generation);
}

export function useQuery<T>(query: string | null, variables: Record<string, unknown>): QueryState<T> {
  const key = query === null ? null : JSON.stringify([query, variables]);
  return useLoad<T>(key, (signal) => gql<T>(query!, variables, signal));
}

/**
 * The same for any loader (several queries at once, ...): it runs again when `key`
 * changes, never while `key` is null.
 */
export function useLoad<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): QueryState<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(key !== null);
  const [tick, setTick] = useState(0);
  const generation = useAuthGeneration();
  const latest = useRef(0);
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    if (key === null) return;
    const ask = ++latest.current;
    const abort = new AbortController();
    setLoading(true);
    loader
      .current(abort.signal)
      .then((d) => {
        if (ask !== latest.current) return;
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => {
        if (ask !== latest.current || abort.signal.aborted) return;
        // The key prompt says it already.
        setError(e instanceof AuthRequiredError ? null : e instanceof Error ? e.message : String(e));
      })
      .finally(() => {
        if (ask === latest.current) setLoading(false);
      });
    return () => abort.abort();
  }, [key, tick, generation]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData };
}
