/** The append-only audit trail: who changed what, when, before and after. */
import type { Knex } from 'knex';
import { T } from './tables';
import { fromJson, toJson, toMillis } from './dialect';

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  targetKind: string;
  targetId: string;
  environment: string | null;
  before: unknown;
  after: unknown;
  details: unknown;
}

interface DbAuditRow {
  id: number | string;
  at: number | string;
  actor: string;
  action: string;
  target_kind: string;
  target_id: string;
  environment: string | null;
  before: string | null;
  after: string | null;
  details: string | null;
}

export class AuditRepository {
  constructor(private readonly db: Knex | Knex.Transaction) {}

  async append(e: Omit<AuditEntry, 'id'>): Promise<void> {
    await this.db(T.auditLog).insert({
      at: e.at,
      actor: e.actor,
      action: e.action,
      target_kind: e.targetKind,
      target_id: e.targetId,
      environment: e.environment,
      before: toJson(e.before),
      after: toJson(e.after),
      details: toJson(e.details),
    });
  }

  async list(
    filter: { targetKind?: string; targetId?: string; excludeTargetKinds?: string[]; limit?: number } = {},
  ): Promise<AuditEntry[]> {
    const q = this.db<DbAuditRow>(T.auditLog)
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 100);
    if (filter.targetKind) q.where('target_kind', filter.targetKind);
    if (filter.targetId) q.where('target_id', filter.targetId);
    if (filter.excludeTargetKinds?.length) q.whereNotIn('target_kind', filter.excludeTargetKinds);
    return (await q).map((r) => ({
      id: Number(r.id),
      at: toMillis(r.at)!,
      actor: r.actor,
      action: r.action,
      targetKind: r.target_kind,
      targetId: r.target_id,
      environment: r.environment,
      before: fromJson(r.before),
      after: fromJson(r.after),
      details: fromJson(r.details),
    }));
  }
}
