/**
 * A view grown as a daily pipeline leaves it: one committed run per day (committed at
 * 1,000 + day), each writing one row per entity, at `day * DAY + e`, to every view given.
 * For the plan and history tests that need a store with many entities and days.
 */
import type { Store } from '../../src/store/store';
import type { FeatureView } from '../../src/store/feature-rows.types';
import type { Value } from '../../src/domain/value';
import { insertCommittedRun } from './fixtures';

export const DAY = 86_400_000;

export interface DailyRuns {
  days: number;
  entities: number;
  key: (e: number) => string;
  values: (e: number, day: number) => Record<string, Value>;
}

export async function insertDailyRuns(store: Store, views: FeatureView[], o: DailyRuns): Promise<void> {
  for (let day = 0; day < o.days; day++) {
    const run = await insertCommittedRun(store, 1_000 + day);
    for (const view of views) {
      await store.features.insertMany(
        run.id,
        view,
        Array.from({ length: o.entities }, (_, e) => ({
          entityKey: o.key(e),
          eventTime: day * DAY + e,
          values: o.values(e, day),
        })),
      );
    }
  }
}
