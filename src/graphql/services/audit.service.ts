/** What the audit resolver calls. */
import type { Runtime } from '../../runtime';
import { InputError } from '../../errors';
import { LIMITS } from '../limits';
import type { AuditEntry } from '../types/audit.type';

export class AuditGraphService {
  constructor(private readonly rt: Pick<Runtime, 'store'>) {}

  async list(q: { targetKind?: string; targetId?: string; first: number }): Promise<AuditEntry[]> {
    if (q.first < 1 || q.first > LIMITS.maxPage)
      throw new InputError(`first must be between 1 and ${LIMITS.maxPage}`);
    const entries = await this.rt.store.audit.list({
      targetKind: q.targetKind,
      targetId: q.targetId,
      limit: q.first,
    });
    return entries.map((e) => ({ ...e, id: String(e.id), at: new Date(e.at) }));
  }
}
