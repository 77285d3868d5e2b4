/**
 * Per-request batching: nested fields (a run's parent, children, raw batches)
 * collect their keys during one tick and load them in one query each.
 */
import DataLoader from 'dataloader';
import type { Store } from '../store/store';
import type { Run } from '../domain/run';
import type { RawBatch } from '../domain/raw-batch';

export interface Loaders {
  run: DataLoader<string, Run | null>;
  children: DataLoader<string, Run[]>;
  rawBatches: DataLoader<string, RawBatch[]>;
}

export function createLoaders(store: Store): Loaders {
  return {
    run: new DataLoader(async (ids) => {
      const found = new Map((await store.runs.getMany(ids)).map((r) => [r.id, r]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    children: new DataLoader(async (ids) => {
      const all = await store.runs.childrenOf(ids);
      return ids.map((id) => all.filter((r) => r.parentRunId === id));
    }),
    rawBatches: new DataLoader(async (ids) => {
      const byRun = await store.rawBatches.forRuns(ids);
      return ids.map((id) => byRun.get(id) ?? []);
    }),
  };
}
