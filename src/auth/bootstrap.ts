/**
 * The first admin key of a deployment where keys are required. Keys are made with
 * `tidemark keys create`, which needs a shell beside the database; a container
 * platform may offer none. So the operator makes a key where they are
 * (`tidemark keys bootstrap`, no database needed), keeps the key, and hands the
 * deployment only its hash: `TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH=<id>:<sha256>`. At
 * start, when no active admin key exists, that key is created as an admin key
 * (owner `bootstrap`), audited like any key creation.
 *
 * Never twice and never back: once any admin key exists nothing happens, and a key
 * with that id that exists already (revoked, say) is left as it is, so revoking the
 * bootstrap key cannot be undone by a restart.
 */
import type { Clock } from '../clock';
import type { Store } from '../store/store';
import { newKeyMaterial } from './key.service';

export const BOOTSTRAP_ACTOR = 'system:bootstrap';

export type BootstrapOutcome = 'created' | 'admin-exists' | 'id-exists';

export async function bootstrapAdmin(
  deps: { store: Store; clock: Clock },
  key: { id: string; secretSha256: string },
): Promise<BootstrapOutcome> {
  const keys = await deps.store.apiKeys.list();
  if (keys.some((k) => k.id === key.id)) return 'id-exists';
  if (keys.some((k) => k.role === 'admin' && k.revokedAt === null)) return 'admin-exists';
  const at = deps.clock.now();
  try {
    await deps.store.transaction(async (tx) => {
      await tx.apiKeys.insert({
        id: key.id,
        owner: 'bootstrap',
        role: 'admin',
        secretSha256: key.secretSha256,
        createdAt: at,
        createdBy: BOOTSTRAP_ACTOR,
        revokedAt: null,
        lastUsedAt: null,
      });
      await tx.audit.append({
        at,
        actor: BOOTSTRAP_ACTOR,
        action: 'key.create',
        targetKind: 'api_key',
        targetId: key.id,
        environment: null,
        before: null,
        after: { owner: 'bootstrap', role: 'admin' },
        details: { from: 'TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH' },
      });
    });
  } catch (err) {
    // Another instance of the deployment inserted the same id first.
    if (await deps.store.apiKeys.get(key.id)) return 'id-exists';
    throw err;
  }
  return 'created';
}

/** For `tidemark keys bootstrap`: a new key and the variable's value for it. */
export function newBootstrapKey(): { token: string; value: string } {
  const k = newKeyMaterial();
  return { token: k.token, value: `${k.id}:${k.secretSha256}` };
}
