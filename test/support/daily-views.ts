/**
 * Two feature views of one contract filled as a daily schedule fills them: one run per
 * view and day, every entity once a day. The prod view is four times as big as dev, so
 * a statement about dev sits beside a bigger neighbour, as in a real store.
 */
import type { Store } from '../../src/store/store';
import { T } from '../../src/store/tables';
import type { TestDb } from './db';
import { insertCommittedRun, registerContract } from './fixtures';

export const DAY = 86_400_000;
export const dailyKey = (e: number) => `"e${String(e).padStart(5, '0')}"`;

export interface DailyViews {
  /** The dev view's runs, day by day. */
  runIds: string[];
  runSeqs: number[];
  viewId: number;
}

export async function fillDailyViews(
  db: TestDb,
  store: Store,
  entities: number,
  days: number,
): Promise<DailyViews> {
  await registerContract(store, 'country_daily', '1.0.0');
  const runIds: string[] = [];
  const runSeqs: number[] = [];
  for (let day = 0; day < days; day++) {
    for (const environment of ['dev', 'prod'] as const) {
      const run = await insertCommittedRun(store, 1_000 + day, { environment });
      await store.features.insertMany(
        run.id,
        { environment, contract: 'country_daily', major: 1 },
        Array.from({ length: environment === 'dev' ? entities : 4 * entities }, (_, e) => ({
          entityKey: dailyKey(e),
          eventTime: day * DAY,
          values: { v: e },
        })),
      );
      if (environment === 'dev') {
        runIds.push(run.id);
        runSeqs.push(Number((await db.knex(T.runs).where({ id: run.id }).first('seq')).seq));
      }
    }
  }
  const viewId = Number((await db.knex(T.featureViews).where({ environment: 'dev' }).first('id')).id);
  return { runIds, runSeqs, viewId };
}
