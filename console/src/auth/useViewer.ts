/**
 * The caller's role, asked of the server (Query.viewer) once per key, so a page offers
 * only the actions the key may take. It only hides buttons: the server checks every call,
 * and its refusal is shown when one is made anyway (a role changed meanwhile).
 */
import { VIEWER } from '../api/queries';
import { useQuery } from '../components/useQuery';

export type Role = 'reader' | 'writer' | 'admin';

export interface Viewer {
  actor: string;
  role: Role;
  roles: Role[];
  keyId: string | null;
}

/** null while loading (no action is shown until the role is known). */
export function useViewer(): Viewer | null {
  return useQuery<{ viewer: Viewer }>(VIEWER, {}).data?.viewer ?? null;
}

export function may(viewer: Viewer | null, role: Role): boolean {
  return viewer?.roles.includes(role) ?? false;
}
