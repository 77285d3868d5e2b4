/**
 * One entity's visible rows over event time, for browsing its history (not a serving
 * path): per event time the row pointInTime would match there (the greater precedence,
 * then the later committed run, then the later row), as the store knew them at
 * `knownAt` (default now); the newest `limit` event times, ascending.
 */
import type { Knex } from 'knex';
import { T } from './tables';
import { winnerOrder } from './winner-order';
import { toMillis } from './dialect';
import type { MatchedRow } from './feature-rows.types';

export async function readTimeline(
  db: Knex | Knex.Transaction,
  view: { viewId: number; version?: string },
  entityKey: string,
  opts: { knownAt?: number; limit: number },
): Promise<MatchedRow[]> {
  const q = db(`${T.featureRows} as f`)
    .join(`${T.runs} as r`, 'r.seq', 'f.run_seq')
    .where({ 'f.view_id': view.viewId, 'f.entity_key': entityKey })
    .whereNotNull('r.committed_at');
  if (view.version) q.where('r.contract_version', view.version);
  const knownAt = opts.knownAt;
  if (knownAt === undefined) q.whereNull('r.invalidated_at');
  else
    q.where('r.committed_at', '<=', knownAt).andWhere((w) =>
      w.whereNull('r.invalidated_at').orWhere('r.invalidated_at', '>', knownAt),
    );
  const rows = (await q
    .select('f.event_time', 'f.feature_values', 'r.id as run_id', 'r.contract_version', 'r.committed_at')
    .orderBy('f.event_time', 'desc')
    .orderByRaw(winnerOrder('f', 'r'))) as Array<{
    event_time: number | string;
    feature_values: string;
    run_id: string;
    contract_version: string;
    committed_at: number | string;
  }>;
  const out: MatchedRow[] = [];
  let last: number | null = null;
  for (const r of rows) {
    const eventTime = toMillis(r.event_time)!;
    if (eventTime === last) continue; // a losing row at the same event time
    if (out.length === opts.limit) break;
    last = eventTime;
    out.push({
      entityKey,
      eventTime,
      values: JSON.parse(r.feature_values),
      runId: r.run_id,
      contractVersion: r.contract_version,
      committedAt: toMillis(r.committed_at)!,
    });
  }
  return out.reverse();
}
