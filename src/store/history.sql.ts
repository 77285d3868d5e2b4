/**
 * The statement behind FeatureRepository.history: per requested entity, its visible
 * rows in [from, to], and before `from` the newest `maxRows` rows, every row within
 * `maxDurationMs`, and for each `lastNonNull` feature the newest rows where that
 * feature is not null (a diff to the last non-null value, or a monotonic check, must
 * reach past a run of nulls however long). One row per event time (the greater
 * precedence wins).
 */
import { T } from './tables';
import { valuesRow, type Engine } from './dialect';
import type { FeatureView, HistoryOptions, HistoryRequest } from './feature.repository';

const F = T.featureRows;
const R = T.runs;

/** SQL for "feature `name` of this row is not JSON null / absent", with its binding. */
function jsonNotNull(engine: Engine, name: string): { sql: string; binding: string } {
  if (engine === 'postgres') return { sql: '(f.feature_values::json ->> ?) IS NOT NULL', binding: name };
  return { sql: 'json_extract(f.feature_values, ?) IS NOT NULL', binding: `$."${name.replace(/"/g, '""')}"` };
}

export function historyStatement(
  engine: Engine,
  view: FeatureView,
  part: HistoryRequest[],
  opts: HistoryOptions,
): { sql: string; bindings: unknown[] } {
  const values = part.map(() => valuesRow(engine, ['text', 'bigint', 'bigint'])).join(', ');
  const bindings: unknown[] = part.flatMap((p) => [p.entityKey, p.from, p.to]);
  const nonNull = Object.entries(opts.lastNonNull ?? {});
  const flags = nonNull.map(([name], k) => {
    const j = jsonNotNull(engine, name);
    bindings.push(j.binding);
    return `CASE WHEN ${j.sql} THEN 1 ELSE 0 END AS nv${k}`;
  });
  const ranks = nonNull.map(
    (_, k) =>
      `ROW_NUMBER() OVER (PARTITION BY ek, CASE WHEN event_time < tmin THEN 0 ELSE 1 END, nv${k} ORDER BY event_time DESC) AS nn${k}`,
  );
  const excl = opts.excludeRunIds?.length
    ? `AND f.run_id NOT IN (${opts.excludeRunIds.map(() => '?').join(', ')})`
    : '';
  bindings.push(view.environment, view.contract, view.major, ...(opts.excludeRunIds ?? []));
  const keepBefore: string[] = [];
  if (opts.maxRows !== null) {
    keepBefore.push('rn <= ?');
    bindings.push(opts.maxRows);
  }
  if (opts.maxDurationMs !== null) {
    keepBefore.push('event_time >= tmin - ?');
    bindings.push(opts.maxDurationMs);
  }
  nonNull.forEach(([, count], k) => {
    keepBefore.push(`(nv${k} = 1 AND nn${k} <= ?)`);
    bindings.push(count);
  });
  const before = keepBefore.length ? `OR (${keepBefore.join(' OR ')})` : '';
  const sql = `
      WITH req(ek, tmin, tmax) AS (VALUES ${values})
      SELECT ek, event_time, feature_values FROM (
        SELECT ek, tmin, event_time, feature_values,
               ${[...ranks, ''].join(',\n               ')}ROW_NUMBER() OVER (PARTITION BY ek, CASE WHEN event_time < tmin THEN 0 ELSE 1 END
                                  ORDER BY event_time DESC) AS rn${nonNull.map((_, k) => `, nv${k}`).join('')}
        FROM (
          SELECT f.entity_key AS ek, req.tmin, f.event_time, f.feature_values,
                 ${[...flags, ''].join(',\n                 ')}ROW_NUMBER() OVER (PARTITION BY f.entity_key, f.event_time ORDER BY COALESCE(r2.precedence, r2.committed_at) DESC, r2.committed_at DESC, f.id DESC) AS dup
          FROM req
          JOIN ${F} f ON f.entity_key = req.ek AND f.event_time <= req.tmax
          JOIN ${R} r2 ON r2.id = f.run_id
          WHERE f.environment = ? AND f.contract_name = ? AND f.contract_major = ?
            AND r2.committed_at IS NOT NULL AND r2.invalidated_at IS NULL ${excl}
        ) d WHERE dup = 1
      ) t
      WHERE event_time >= tmin ${before}
      ORDER BY ek, event_time`;
  return { sql, bindings };
}
