/**
 * What the audit resolver calls. The trail is scoped by role: entries about API keys
 * (their ids, owners and roles, from creation and revocation) are for admins only, since
 * any reader could otherwise list who holds which key.
 */
import type { Runtime } from '../../runtime';
import { ForbiddenError, InputError } from '../../errors';
import { roleAllows, type Principal } from '../../domain/role';
import { LIMITS } from '../limits';
import type { AuditEntry } from '../types/audit.type';

/** Target kinds whose entries only admins may read. */
export const ADMIN_ONLY_AUDIT_KINDS: readonly string[] = ['api_key'];

export class AuditGraphService {
  constructor(private readonly rt: Pick<Runtime, 'store'>) {}

  async list(
    q: { targetKind?: string; targetId?: string; first: number },
    principal: Pick<Principal, 'role' | 'actor'>,
  ): Promise<AuditEntry[]> {
    if (q.first < 1 || q.first > LIMITS.maxPage)
      throw new InputError(`first must be between 1 and ${LIMITS.maxPage}`);
    const admin = roleAllows(principal.role, 'admin');
    if (!admin && q.targetKind && ADMIN_ONLY_AUDIT_KINDS.includes(q.targetKind)) {
      throw new ForbiddenError(
        `${principal.actor} has role ${principal.role}; audit entries of kind ${q.targetKind} need admin`,
      );
    }
    const entries = await this.rt.store.audit.list({
      targetKind: q.targetKind,
      targetId: q.targetId,
      excludeTargetKinds: admin ? undefined : [...ADMIN_ONLY_AUDIT_KINDS],
      limit: q.first,
    });
    return entries.map((e) => ({ ...e, id: String(e.id), at: new Date(e.at) }));
  }
}
