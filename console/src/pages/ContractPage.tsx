/**
 * A contract version as its reader needs it first: where it is active and how fresh,
 * its schema, features and expectations, and a way to its runs. (Versions side by side,
 * promotions and actions are later pages of the console.)
 */
import { CONTRACT } from '../api/queries';
import type { Freshness } from '../api/types';
import { useQuery } from '../components/useQuery';
import { FreshnessBadge } from '../components/FreshnessBadge';
import { ErrorMessage, Loading } from '../components/Feedback';
import { Link, usePageTitle, useLocation, navigate } from '../router';
import { dateTime, value } from '../format';

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
}

export function ContractPage({ name }: { name: string }) {
  usePageTitle(`Contract ${name}`);
  const version = useLocation().searchParams.get('version');
  const q = useQuery<{ contract: Contract | null }>(CONTRACT, { name, version });
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
    ? (c.expectations as Array<Record<string, unknown>>)
    : [];
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
                <td className="mono small">{col.constraints ? value(col.constraints, 120) : '—'}</td>
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
                <td className="mono small">{value(f.definition, 120)}</td>
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
          <ul className="mono small">
            {expectations.map((e, i) => (
              <li key={i}>{value(e, 200)}</li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
