/**
 * The caller's role, asked of the server (Query.viewer) once per key: pages offer only
 * the actions it allows. The server decides in the end: an action offered by mistake
 * (a role changed meanwhile) is refused there, and the page shows the refusal.
 */
import { VIEWER, type Viewer } from '../api/actions';
import { useQuery } from '../components/useQuery';

export function useViewer(): Viewer | null {
  return useQuery<{ viewer: Viewer }>(VIEWER, {}).data?.viewer ?? null;
}
