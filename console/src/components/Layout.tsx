/** The frame of every page: a skip link, the navigation and the main region. */
import type { ReactNode } from 'react';
import { Link, type Route } from '../router';

export function Layout({ route, children }: { route: Route; children: ReactNode }) {
  const current = (page: Route['page'][]) => (page.includes(route.page) ? 'page' : undefined);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand" aria-hidden="true">
          ≋
        </span>
        <nav aria-label="Console">
          <ul>
            <li>
              <Link href="/" aria-current={current(['overview'])}>
                Overview
              </Link>
            </li>
            <li>
              <Link href="/runs" aria-current={current(['runs', 'run'])}>
                Runs
              </Link>
            </li>
            {/* --- lineage graph and feature explorer (issue 16) --- */}
            <li>
              <Link href="/lineage" aria-current={current(['lineage'])}>
                Lineage
              </Link>
            </li>
            <li>
              <Link href="/features" aria-current={current(['features'])}>
                Features
              </Link>
            </li>
            {/* --- end lineage and features --- */}
            <li>
              {/* The explorer is another page of the server, not a console route. */}
              <a href="/graphql">GraphQL explorer</a>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
