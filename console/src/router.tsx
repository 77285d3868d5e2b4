/**
 * A small history-API router: four routes do not need a routing library. The server
 * answers the same index.html for each of these paths (src/console/routes.ts).
 */
import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export type Route =
  | { page: 'overview' }
  | { page: 'runs' }
  | { page: 'run'; id: string }
  | { page: 'contract'; name: string }
  // --- lineage graph and feature explorer (issue 16) ---
  | { page: 'lineage' }
  | { page: 'features' }
  // --- end lineage and features ---
  | { page: 'not-found' };

export function match(pathname: string): Route {
  if (pathname === '/') return { page: 'overview' };
  if (pathname === '/runs' || pathname === '/runs/') return { page: 'runs' };
  const run = /^\/runs\/([^/]+)\/?$/.exec(pathname);
  if (run) return { page: 'run', id: decodeURIComponent(run[1]!) };
  const contract = /^\/contracts\/([^/]+)\/?$/.exec(pathname);
  if (contract) return { page: 'contract', name: decodeURIComponent(contract[1]!) };
  // --- lineage graph and feature explorer (issue 16): their subject is in the query string ---
  if (pathname === '/lineage' || pathname === '/lineage/') return { page: 'lineage' };
  if (pathname === '/features' || pathname === '/features/') return { page: 'features' };
  // --- end lineage and features ---
  return { page: 'not-found' };
}

const listeners = new Set<() => void>();
function emit(): void {
  for (const l of listeners) l();
}
window.addEventListener('popstate', emit);

function subscribeLocation(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** pathname + search, so a change of either re-renders. */
export function useLocation(): URL {
  const href = useSyncExternalStore(subscribeLocation, () => location.pathname + location.search);
  return new URL(href, location.origin);
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  emit();
}

/** An ordinary link (open in a new tab works) that moves within the page on a plain click. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={click} {...rest} />;
}

/** Sets the document title; the page's h1 takes focus after a navigation (for screen readers). */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Tidemark Console`;
  }, [title]);
}
