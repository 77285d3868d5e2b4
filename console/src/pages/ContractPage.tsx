/**
 * A contract version as its reader needs it: every version and where each is active,
 * freshness, the schema with its constraints, features with their definitions,
 * expectations, the promotion history, any two versions compared, and (for keys whose
 * role may) promote and apply.
 */
import { CONTRACT, CONTRACT_VERSIONS } from '../api/queries';
import { may, useViewer } from '../auth/useViewer';
import { Versions, type VersionRow } from './contract/Versions';
import { VersionDiff } from './contract/VersionDiff';
import { ApplyContract } from './contract/ApplyContract';
import { constraintList, expectationView, featureDefinition } from './contract/definitions';
import type { Freshness } from '../api/types';
import { useQuery } from '../components/useQuery';
import { FreshnessBadge } from '../components/FreshnessBadge';
import { ErrorMessage, Loading } from '../components/Feedback';
import { Link, usePageTitle, useLocation, navigate } from '../router';
import { dateTime } from '../format';

interface Contract {
  name: string;
  version: string;
  owner: string;
  description: string | null;
  entity: string;
  entityKey: string[];
  eventTime: string;
  environments: string[];
  versions: string[];
  registeredAt: string;
  freshness: Freshness[];
  schema: Array<{
    name: string;
    type: string;
    required: boolean;
    description: string | null;
    constraints: unknown;
  }>;
  features: Array<{ name: string; kind: string; description: string | null; definition: unknown }>;
  expectations: unknown;
  registeredBy: string;
  hash: string;
  promotions: Array<{
    id: string;
    version: string;
    environment: string;
    fromEnvironment: string | null;
    state: string;
    at: string;
    by: string;
  }>;
}

export function ContractPage({ name }: { name: string }) {
  usePageTitle(`Contract ${name}`);
  const version = useLocation().searchParams.get('version');
  const q = useQuery<{ contract: Contract | null }>(CONTRACT, { name, version });
  const all = useQuery<{ contracts: Array<VersionRow & { name: string }> }>(CONTRACT_VERSIONS, {});
  const viewer = useViewer();
  // applyContract and promoteContract need an admin key (the server refuses the others).
  const admin = may(viewer, 'admin');
  const reload = () => {
    q.reload();
    all.reload();
  };
  if (q.error) return <ErrorMessage error={q.error} />;
  if (!q.data) return <Loading what={`contract ${name}`} />;
  const c = q.data.contract;
  if (!c)
    return (
      <>
        <h1>Contract not found</h1>
        <p>
          No contract <code>{name}</code>
          {version ? ` at version ${version}` : ''}. <Link href="/">Overview</Link>.
        </p>
      </>
    );
  const expectations = Array.isArray(c.expectations)
    ? (c.expectations as Array<Record<string, unknown>>).map(expectationView)
    : [];
  const rank = new Map(c.versions.map((v, i) => [v, i]));
  const versionRows = (all.data?.contracts ?? [])
    .filter((v) => v.name === c.name)
    .sort((a, b) => (rank.get(a.version) ?? 0) - (rank.get(b.version) ?? 0));
  return (
    <>
      <p className="crumbs">
        <Link href="/">Overview</Link> › contract
      </p>
      <h1>
        {c.name} <span className="muted">@{c.version}</span>
      </h1>
      {c.description && <p>{c.description}</p>}
      <dl className="facts">
        <dt>Owner</dt>
        <dd>{c.owner}</dd>
        <dt>Entity</dt>
        <dd>
          {c.entity} (key {c.entityKey.join(', ')}), event time <code>{c.eventTime}</code>
        </dd>
        <dt>Registered</dt>
        <dd>{dateTime(c.registeredAt)}</dd>
        <dt>
          <label htmlFor="version-select">Version</label>
        </dt>
        <dd>
          <select
            id="version-select"
            value={c.version}
            onChange={(e) =>
              navigate(
                `/contracts/${encodeURIComponent(c.name)}?version=${encodeURIComponent(e.target.value)}`,
              )
            }
          >
            {c.versions.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>{' '}
          active in {c.environments.length ? c.environments.join(', ') : 'no environment'}
        </dd>
      </dl>
      {all.error && <ErrorMessage error={all.error} />}
      {viewer && !admin && (
        <p className="muted small" data-viewer-role={viewer.role}>
          Your key&apos;s role is {viewer.role}: promoting and applying contracts need an admin key.
        </p>
      )}
      {versionRows.length > 0 && (
        <Versions
          name={c.name}
          current={c.version}
          versions={versionRows}
          canPromote={admin}
          onChanged={reload}
        />
      )}
      <section aria-labelledby="freshness-heading">
        <h2 id="freshness-heading">Freshness</h2>
        {c.freshness.length === 0 ? (
          <p className="muted">This version is not active anywhere.</p>
        ) : (
          <ul>
            {c.freshness.map((f) => (
              <li key={f.environment}>
                {f.environment}: <FreshnessBadge f={f} /> ·{' '}
                <Link
                  href={`/runs?contract=${encodeURIComponent(c.name)}&environment=${encodeURIComponent(f.environment)}`}
                >
                  runs
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="schema-heading">
        <h2 id="schema-heading">Schema</h2>
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Type</th>
              <th scope="col">Required</th>
              <th scope="col">Constraints</th>
            </tr>
          </thead>
          <tbody>
            {c.schema.map((col) => (
              <tr key={col.name}>
                <th scope="row" className="mono">
                  {col.name}
                  {col.description && <div className="small muted">{col.description}</div>}
                </th>
                <td>{col.type}</td>
                <td>{col.required ? 'yes' : 'no'}</td>
                <td className="small">
                  {col.constraints ? (
                    <ul className="chips">
                      {constraintList(col.constraints).map((k) => (
                        <li key={k} className="mono">
                          {k}
                        </li>
                      ))}
                    </ul>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="features-heading">
        <h2 id="features-heading">Features</h2>
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Feature</th>
              <th scope="col">Kind</th>
              <th scope="col">Definition</th>
            </tr>
          </thead>
          <tbody>
            {c.features.map((f) => (
              <tr key={f.name}>
                <th scope="row" className="mono">
                  {f.name}
                  {f.description && <div className="small muted">{f.description}</div>}
                </th>
                <td>{f.kind}</td>
                <td className="mono small">{featureDefinition(f.kind, f.definition)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="expectations-heading">
        <h2 id="expectations-heading">Expectations</h2>
        {expectations.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Expectation</th>
                <th scope="col">Severity</th>
                <th scope="col">Held to</th>
                <th scope="col">Mostly</th>
              </tr>
            </thead>
            <tbody>
              {expectations.map((e, i) => (
                <tr key={i} data-expectation={e.name}>
                  <th scope="row" className="mono">
                    {e.name}
                    {e.description && <div className="small muted">{e.description}</div>}
                  </th>
                  <td>{e.severity}</td>
                  <td className="mono small">{e.bounds}</td>
                  <td>{e.mostly === null ? '—' : e.mostly}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="promotions-heading">
        <h2 id="promotions-heading">Promotion history</h2>
        {c.promotions.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <table className="grid promotions">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Version</th>
                <th scope="col">Environment</th>
                <th scope="col">State</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {[...c.promotions]
                .sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || Number(b.id) - Number(a.id))
                .map((p) => (
                  <tr key={p.id} data-promotion={`${p.version}:${p.environment}`}>
                    <td>{dateTime(p.at)}</td>
                    <th scope="row" className="mono">
                      {p.version}
                    </th>
                    <td>
                      {p.fromEnvironment ? `${p.fromEnvironment} → ` : ''}
                      {p.environment}
                    </td>
                    <td>{p.state}</td>
                    <td>{p.by}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        )}
      </section>
      <VersionDiff key={c.version} name={c.name} versions={c.versions} current={c.version} />
      {admin && <ApplyContract onApplied={reload} />}
    </>
  );
}
