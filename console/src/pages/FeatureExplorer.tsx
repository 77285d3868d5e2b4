/**
 * The feature explorer: a contract's features for chosen entities over event time, as
 * the store knew them at a moment. The knownAt slider steps through the moments the
 * store changed (runs committed, rolled back, superseded), so corrections and
 * rollbacks appear and disappear; the GraphQL document and variables the page sent are
 * shown to copy, so a script reproduces the view exactly. Everything is in the address
 * (/features?contract=…&entities=…&environment=…&knownAt=…).
 */
import { useMemo, useState, type FormEvent } from 'react';
import { gql } from '../api/client';
import { CONTRACT_NAMES } from '../api/queries';
import {
  EXPLORER_CONTRACT,
  STORE_MOMENTS,
  featureHistoryQuery,
  type HistoryPoint,
  type MomentRun,
} from '../api/feature-history';
import { useLoad, useQuery } from '../components/useQuery';
import { ErrorMessage, Loading } from '../components/Feedback';
import { Link, navigate, usePageTitle } from '../router';
import { dateTime, value } from '../format';
import { LineChart, type Series } from '../features/LineChart';
import { entityText, momentIndex, parseEntities, storeMoments } from '../features/moments';

interface ExplorerContract {
  name: string;
  version: string;
  entityKey: string[];
  environments: string[];
  features: Array<{ name: string; kind: string }>;
}

function address(p: Record<string, string | null | undefined>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v) s.set(k, v);
  return `/features?${s}`;
}

export function FeatureExplorer({ search }: { search: URLSearchParams }) {
  const contract = search.get('contract');
  const entitiesText = search.get('entities') ?? '';
  const knownAt = search.get('knownAt');
  usePageTitle(contract ? `Features of ${contract}` : 'Feature explorer');

  const names = useQuery<{ contracts: Array<{ name: string }> }>(CONTRACT_NAMES, {});
  const c = useQuery<{ contract: ExplorerContract | null }>(contract ? EXPLORER_CONTRACT : null, {
    name: contract,
  });
  const info = c.data?.contract ?? null;
  const environment = search.get('environment') ?? info?.environments[0] ?? null;
  const entities = useMemo(() => parseEntities(entitiesText), [entitiesText]);
  const here = { contract, entities: entitiesText, environment, knownAt };

  return (
    <>
      <h1>Feature explorer{contract ? `: ${contract}` : ''}</h1>
      <p className="muted">
        Each feature's value over event time for the entities you pick, as the store knew it at the moment you
        choose: move the slider back to see what a model trained then would have seen.
      </p>
      <PickForm
        key={`${contract ?? ''}|${entitiesText}|${environment ?? ''}`}
        contracts={[...new Set((names.data?.contracts ?? []).map((x) => x.name))].sort()}
        contract={contract ?? ''}
        entities={entitiesText}
        environment={environment ?? ''}
        environments={info?.environments ?? []}
        entityKey={info?.entityKey ?? []}
      />
      {c.error && <ErrorMessage error={c.error} />}
      {contract && c.data && !info && <ErrorMessage error={`No contract ${contract}.`} />}
      {info && entities.length === 0 && <p>Enter one or more entities ({info.entityKey.join(', ')}).</p>}
      {info && entities.length > 0 && (
        <Explorer
          key={`${info.name}|${environment}`}
          info={info}
          environment={environment}
          entities={entities}
          knownAt={knownAt}
          onKnownAt={(k) => navigate(address({ ...here, knownAt: k }), { replace: true })}
        />
      )}
    </>
  );
}

function Explorer(props: {
  info: ExplorerContract;
  environment: string | null;
  entities: unknown[];
  knownAt: string | null;
  onKnownAt: (k: string | null) => void;
}) {
  const { info, environment, entities, knownAt } = props;
  // Every run of the view (500 a page): their commits and invalidations are the slider's stops.
  const runs = useLoad<MomentRun[]>(`moments|${info.name}|${environment}`, async (signal) => {
    const all: MomentRun[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const d: {
        runs: { nodes: MomentRun[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
      } = await gql(STORE_MOMENTS, { contract: info.name, environment, after }, signal);
      all.push(...d.runs.nodes);
      if (!d.runs.pageInfo.hasNextPage) break;
      after = d.runs.pageInfo.endCursor;
    }
    return all;
  });
  const moments = useMemo(() => storeMoments(runs.data ?? []), [runs.data]);
  const document = featureHistoryQuery(entities.length);
  const variables: Record<string, unknown> = { contract: info.name, environment, knownAt };
  entities.forEach((e, i) => (variables[`entity${i}`] = e));
  const history = useQuery<Record<string, HistoryPoint[]>>(document, variables);
  // After an action elsewhere (a rollback), the moments and the values are read again on return.

  const index = momentIndex(moments, knownAt);
  const atText = knownAt
    ? `${dateTime(knownAt)}${moments[index] && moments[index]!.at === knownAt ? `: ${moments[index]!.what}` : ''}`
    : 'now (the newest state)';
  const data = history.data;
  const numeric = info.features.map((f) => f.name);

  return (
    <>
      <section aria-labelledby="known-heading">
        <h2 id="known-heading">Known at</h2>
        {runs.error && <ErrorMessage error={runs.error} />}
        <div className="known-at">
          <label htmlFor="known-at">As the store knew it at</label>
          <input
            id="known-at"
            type="range"
            min={0}
            max={moments.length}
            step={1}
            value={index}
            disabled={moments.length === 0}
            aria-valuetext={atText}
            onChange={(e) => {
              const i = Number(e.target.value);
              props.onKnownAt(i >= moments.length ? null : moments[i]!.at);
            }}
          />
          <output htmlFor="known-at" id="known-at-value" data-known-at={knownAt ?? 'now'}>
            {atText}
          </output>
        </div>
        <p className="muted small">
          {moments.length} moment{moments.length === 1 ? '' : 's'} the store changed for {info.name} in{' '}
          {environment ?? 'the default environment'}; the right end is now.
        </p>
      </section>
      {history.error && <ErrorMessage error={history.error} />}
      {!data && !history.error && <Loading what="feature values" />}
      {data && (
        <>
          <section aria-labelledby="charts-heading">
            <h2 id="charts-heading">Values over event time</h2>
            <div className="charts">
              {numeric.map((f) => {
                const series: Series[] = entities.map((e, i) => ({
                  name: entityText(e),
                  points: (data[`e${i}`] ?? []).flatMap((p) => {
                    const v = p.values?.[f];
                    const n = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : null;
                    return n === null ? [] : [{ t: Date.parse(p.eventTime), v: n, runId: p.runId }];
                  }),
                }));
                if (series.every((s) => s.points.length === 0)) return null;
                return (
                  <div key={f} className="chart-box" data-feature={f}>
                    <h3>{f}</h3>
                    <LineChart feature={f} series={series} />
                  </div>
                );
              })}
            </div>
          </section>
          <section aria-labelledby="values-heading">
            <h2 id="values-heading">Values as a table</h2>
            {entities.map((e, i) => (
              <ValuesTable
                key={i}
                entity={entityText(e)}
                points={data[`e${i}`] ?? []}
                features={info.features.map((f) => f.name)}
              />
            ))}
          </section>
        </>
      )}
      <QueryPanel document={document} variables={variables} />
    </>
  );
}

function ValuesTable({
  entity,
  points,
  features,
}: {
  entity: string;
  points: HistoryPoint[];
  features: string[];
}) {
  return (
    <>
      <h3>
        {entity} <span className="muted small">({points.length} event times)</span>
      </h3>
      {points.length === 0 ? (
        <p className="muted">No values as known then.</p>
      ) : (
        <div className="table-scroll">
          <table className="grid" data-entity={entity}>
            <thead>
              <tr>
                <th scope="col">Event time</th>
                {features.map((f) => (
                  <th key={f} scope="col" className="mono">
                    {f}
                  </th>
                ))}
                <th scope="col">Run</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr
                  key={p.eventTime}
                  data-entity={entity}
                  data-event-time={p.eventTime}
                  data-run={p.runId ?? ''}
                >
                  <th scope="row">{dateTime(p.eventTime)}</th>
                  {features.map((f) => (
                    <td key={f} className="mono small" data-feature={f}>
                      {value(p.values?.[f] ?? null, 40)}
                    </td>
                  ))}
                  <td>
                    {p.runId && (
                      <Link href={`/runs/${p.runId}`} className="mono">
                        {p.runId}
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function QueryPanel({ document, variables }: { document: string; variables: Record<string, unknown> }) {
  const [copied, setCopied] = useState<string | null>(null);
  const vars = JSON.stringify(variables, null, 2);
  const copy = async (what: string, text: string, id: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(`${what} copied.`);
    } catch {
      // No clipboard (an insecure origin, a denied permission): select it for Ctrl+C.
      const el = window.document.getElementById(id);
      if (el) window.getSelection()?.selectAllChildren(el);
      setCopied(`${what} selected: press Ctrl+C (or ⌘C) to copy.`);
    }
  };
  return (
    <section aria-labelledby="query-heading">
      <h2 id="query-heading">The query behind this view</h2>
      <p className="muted">
        Send it to <a href="/graphql">/graphql</a> with these variables to get exactly what this page shows.
      </p>
      <pre className="query" id="explorer-query" tabIndex={0} aria-label="GraphQL query">
        {document}
      </pre>
      <pre className="query" id="explorer-variables" tabIndex={0} aria-label="Variables">
        {vars}
      </pre>
      <p className="action-buttons">
        <button type="button" onClick={() => copy('Query', document, 'explorer-query')}>
          Copy query
        </button>{' '}
        <button type="button" onClick={() => copy('Variables', vars, 'explorer-variables')}>
          Copy variables
        </button>{' '}
        <span role="status">{copied}</span>
      </p>
    </section>
  );
}

function PickForm(props: {
  contracts: string[];
  contract: string;
  entities: string;
  environment: string;
  environments: string[];
  entityKey: string[];
}) {
  const [contract, setContract] = useState(props.contract);
  const [entities, setEntities] = useState(props.entities);
  const [environment, setEnvironment] = useState(props.environment);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!contract) return;
    // A new subject starts at now: a knownAt of another view would mean little.
    navigate(
      address({
        contract,
        entities: entities.trim(),
        environment: contract === props.contract ? environment : null,
      }),
    );
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="What to explore">
      <label>
        Contract
        <select value={contract} onChange={(e) => setContract(e.target.value)}>
          <option value="">choose…</option>
          {props.contracts.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <label>
        Environment
        <select value={environment} onChange={(e) => setEnvironment(e.target.value)}>
          {props.environments.length === 0 && <option value="">default</option>}
          {props.environments.map((e) => (
            <option key={e}>{e}</option>
          ))}
        </select>
      </label>
      <label className="grow">
        Entities{props.entityKey.length ? ` (${props.entityKey.join(', ')})` : ''}, comma-separated
        <input
          value={entities}
          onChange={(e) => setEntities(e.target.value)}
          placeholder="card00393003, card00202947 — or a JSON array for composite keys"
          spellCheck={false}
        />
      </label>
      <div className="filters-submit">
        <button type="submit" disabled={!contract}>
          Show
        </button>
      </div>
    </form>
  );
}
