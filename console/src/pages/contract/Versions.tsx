/**
 * Every version of the contract and the environments it is active in, with a promote
 * action (for keys whose role may promote) that asks first and shows the server's
 * refusal, rule and all, when the promotion policy does not hold.
 */
import { useState } from 'react';
import { gql } from '../../api/client';
import { PROMOTE_CONTRACT } from '../../api/queries';
import { ErrorMessage } from '../../components/Feedback';
import { Link } from '../../router';
import { dateTime } from '../../format';
import { ConfirmDialog } from './ConfirmDialog';
import { ENVIRONMENTS, nextEnvironment } from './definitions';

export interface VersionRow {
  version: string;
  environments: string[];
  registeredAt: string;
  registeredBy: string;
}

export function Versions({
  name,
  current,
  versions,
  canPromote,
  onChanged,
}: {
  name: string;
  current: string;
  versions: VersionRow[];
  canPromote: boolean;
  onChanged: () => void;
}) {
  const [asking, setAsking] = useState<{ version: string; from: string; to: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState('');

  const promote = async () => {
    if (!asking) return;
    setBusy(true);
    setError(null);
    try {
      await gql(PROMOTE_CONTRACT, { name, version: asking.version, to: asking.to });
      setDone(`${name}@${asking.version} is now active in ${asking.to}.`);
      onChanged();
    } catch (e) {
      setDone('');
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
      setAsking(null);
    }
  };

  return (
    <section aria-labelledby="versions-heading">
      <h2 id="versions-heading">Versions ({versions.length})</h2>
      <table className="grid versions">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Active in</th>
            <th scope="col">Registered</th>
            {canPromote && <th scope="col">Action</th>}
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => {
            const next = nextEnvironment(v.environments);
            return (
              <tr key={v.version} data-version={v.version}>
                <th scope="row" className="mono">
                  {v.version === current ? (
                    <span aria-current="true">
                      {v.version} <span className="muted">(shown)</span>
                    </span>
                  ) : (
                    <Link
                      href={`/contracts/${encodeURIComponent(name)}?version=${encodeURIComponent(v.version)}`}
                    >
                      {v.version}
                    </Link>
                  )}
                </th>
                <td data-cell="active">
                  {v.environments.length === 0 ? (
                    <span className="muted">not active</span>
                  ) : (
                    <ul className="envs">
                      {v.environments.map((e) => (
                        <li key={e} className={`env env-${e}`}>
                          <span aria-hidden="true">●</span> {e}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  {dateTime(v.registeredAt)} <span className="muted">by {v.registeredBy}</span>
                </td>
                {canPromote && (
                  <td>
                    {next ? (
                      <button
                        type="button"
                        onClick={() =>
                          setAsking({
                            version: v.version,
                            from: ENVIRONMENTS[ENVIRONMENTS.indexOf(next) - 1] ?? 'dev',
                            to: next,
                          })
                        }
                      >
                        Promote {v.version} to {next}…
                      </button>
                    ) : (
                      <span className="muted">{v.environments.length ? 'in every environment' : '—'}</span>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      {done && (
        <p className="ok-note" role="status">
          <span aria-hidden="true">✓ </span>
          {done}
        </p>
      )}
      {error && <ErrorMessage error={`Promotion refused: ${error}`} />}
      <ConfirmDialog
        open={asking !== null}
        title={asking ? `Promote ${name}@${asking.version} to ${asking.to}?` : 'Promote'}
        confirmLabel={asking ? `Promote to ${asking.to}` : 'Promote'}
        busy={busy}
        onConfirm={() => void promote()}
        onCancel={() => setAsking(null)}
      >
        {asking && (
          <p>
            {name}@{asking.version} becomes the active version of its major in <strong>{asking.to}</strong>,
            replacing the one active there now, if any. The server checks the promotion policy first: a
            succeeded run in {asking.from}, no failing blocking expectation, no breaking change without a
            major bump.
          </p>
        )}
      </ConfirmDialog>
    </section>
  );
}
