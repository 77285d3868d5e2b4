/** Who is calling (its role decides which actions the pages offer) and the run actions. */
import type { RunStatus } from './types';

import type { Role } from '../auth/useViewer';

const ROLES: Role[] = ['reader', 'writer', 'admin'];
/** The same order as the server's (src/auth/roles.ts): each role includes the ones before it. */
export function roleAllows(have: Role | null | undefined, need: Role): boolean {
  return have !== null && have !== undefined && ROLES.indexOf(have) >= ROLES.indexOf(need);
}

export const ROLLBACK_PREVIEW = `query RollbackPreview($id: ID!) {
  run(id: $id) { id rollbackPreview { allowed refusal rowsHidden reprocessed { id status trigger queuedAt } } }
}`;

export interface RollbackPreview {
  allowed: boolean;
  refusal: string | null;
  rowsHidden: number;
  reprocessed: Array<{ id: string; status: RunStatus; trigger: string; queuedAt: string }>;
}

export const CONTRACT_VERSIONS = `query ContractVersions($name: String!) { contract(name: $name) { name versions } }`;

export const ROLLBACK_RUN = `mutation RollbackRun($id: ID!) { rollbackRun(id: $id) { id status invalidatedAt } }`;

export const REPROCESS_RUN = `mutation ReprocessRun($id: ID!, $contractVersion: String) {
  reprocessRun(id: $id, contractVersion: $contractVersion) { id status contractVersion }
}`;
