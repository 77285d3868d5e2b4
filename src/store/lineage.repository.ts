/** Lineage edges: raw batch → run → feature view (with contract and code versions). */
import type { Knex } from 'knex';
import { T } from './tables';
import { fromJson, toJson, toMillis } from './dialect';

export interface LineageEdge {
  runId: string;
  fromKind: 'raw_batch' | 'run' | 'contract_version' | 'feature_view';
  fromId: string;
  toKind: 'raw_batch' | 'run' | 'contract_version' | 'feature_view';
  toId: string;
  attributes: Record<string, unknown> | null;
  createdAt: number;
}

interface DbEdgeRow {
  id: number | string;
  run_id: string;
  from_kind: string;
  from_id: string;
  to_kind: string;
  to_id: string;
  attributes: string | null;
  created_at: number | string;
}

export class LineageRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async insertMany(edges: LineageEdge[]): Promise<void> {
    if (edges.length === 0) return;
    await this.db(T.lineageEdges).insert(
      edges.map((e) => ({
        run_id: e.runId,
        from_kind: e.fromKind,
        from_id: e.fromId,
        to_kind: e.toKind,
        to_id: e.toId,
        attributes: toJson(e.attributes),
        created_at: e.createdAt,
      })),
    );
  }

  async query(filter: { runIds?: string[]; toId?: string }): Promise<LineageEdge[]> {
    // No ORDER BY: the edges of a few dozen runs are sought by run_id, and the few found
    // are put in id order here. In SQL the order costs a sort after the seek, and gives
    // a planner the choice of walking the primary key in id order over every edge.
    const q = this.db<DbEdgeRow>(T.lineageEdges);
    if (filter.runIds) q.whereIn('run_id', filter.runIds);
    if (filter.toId) q.where('to_id', filter.toId);
    const rows = await q;
    rows.sort((a, b) => Number(a.id) - Number(b.id));
    return rows.map((r) => ({
      runId: r.run_id,
      fromKind: r.from_kind as LineageEdge['fromKind'],
      fromId: r.from_id,
      toKind: r.to_kind as LineageEdge['toKind'],
      toId: r.to_id,
      attributes: fromJson(r.attributes),
      createdAt: toMillis(r.created_at)!,
    }));
  }
}
