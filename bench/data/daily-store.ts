/**
 * Fills a store with the daily case's history, through the store's own write path
 * for feature rows (as feature-store.ts does for the read cases): one queued run,
 * one transaction of `features.insertMany` chunks, the run committed. Running a
 * million rows through CSV runs would measure the ingest again, not the store.
 */
import type { Runtime } from '../../src/runtime';
import { encodeEntityKey } from '../../src/pipeline/entity-key';
import { applyContracts } from '../lib/tidemark';
import { DAILY_CONTRACT, dailyStoreRows } from './daily-data';
import type { LoadStats } from './feature-store';

export async function loadDailyStore(rt: Runtime, entities: number, days: number, seed: number): Promise<LoadStats> {
  await applyContracts(rt, [DAILY_CONTRACT]);
  const t0 = performance.now();
  const contract = await rt.registry.resolve('bench_daily', undefined, 'dev');
  const run = await rt.executor.enqueue({ contract, environment: 'dev', trigger: 'manual', rawBatches: [], actor: 'bench' });
  const view = { environment: 'dev' as const, contract: contract.name, major: contract.major };
  let rows = 0;
  let newest: number | null = null;
  await rt.store.transaction(async (tx) => {
    for (const chunk of dailyStoreRows(entities, days, seed)) {
      for (const r of chunk) if (newest === null || r.eventTime > newest) newest = r.eventTime;
      const inserts = chunk.map((r) => ({
        entityKey: encodeEntityKey(['entity'], { entity: r.entity }),
        eventTime: r.eventTime,
        values: r.values,
      }));
      await tx.features.insertMany(run.id, view, inserts);
      rows += chunk.length;
    }
    const now = rt.clock.now();
    const counts = { read: rows, valid: rows, rejected: 0, filtered: 0, written: rows };
    await tx.runs.setNewestEventTime(run.id, newest);
    await tx.runs.update(run.id, { status: 'succeeded', startedAt: now, finishedAt: now, committedAt: now, counts });
  });
  return { rows, ms: performance.now() - t0 };
}
