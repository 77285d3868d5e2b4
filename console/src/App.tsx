/** Picks the page for the address, or the key prompt while the server waits for a key. */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { authState, onAuthChange } from './auth/key-store';
import { KeyPrompt } from './auth/KeyPrompt';
import { Layout } from './components/Layout';
import { match, useLocation, Link } from './router';
import { Overview } from './pages/Overview';
import { Runs } from './pages/Runs';
import { RunDetail } from './pages/RunDetail';
import { ContractPage } from './pages/ContractPage';
import { LineagePage } from './pages/LineagePage';
import { FeatureExplorer } from './pages/FeatureExplorer';

export function App() {
  const auth = useSyncExternalStore(onAuthChange, authState);
  const loc = useLocation();
  const route = match(loc.pathname);
  const first = useRef(true);

  // After a navigation, focus goes to the new page's main region (its heading once
  // loaded), so keyboard and screen reader users start there, not back at the top.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('#main')?.focus();
  }, [loc.pathname]);

  if (auth.prompting) return <KeyPrompt message={auth.message} />;
  return (
    <Layout route={route}>
      {route.page === 'overview' && <Overview />}
      {route.page === 'runs' && <Runs search={loc.searchParams} />}
      {route.page === 'run' && <RunDetail key={route.id} id={route.id} />}
      {route.page === 'contract' && <ContractPage key={route.name} name={route.name} />}
      {route.page === 'lineage' && <LineagePage search={loc.searchParams} />}
      {route.page === 'features' && <FeatureExplorer search={loc.searchParams} />}
      {route.page === 'not-found' && (
        <>
          <h1>Not found</h1>
          <p>
            No console page at <code>{loc.pathname}</code>. <Link href="/">Back to the overview</Link>.
          </p>
        </>
      )}
    </Layout>
  );
}
