/**
 * Apply a contract by pasting its YAML: the same rules as `tidemark contracts apply`
 * (immutable versions, the bump checked against the version before). It asks first;
 * the server's answer is shown as it is: the compatibility report when registered,
 * the lint or bump error (with its line) when refused.
 */
import { useState } from 'react';
import { gql } from '../../api/client';
import { APPLY_CONTRACT } from '../../api/queries';
import { ErrorMessage } from '../../components/Feedback';
import { Link } from '../../router';
import { ConfirmDialog } from './ConfirmDialog';
import { declared } from './definitions';

interface Applied {
  status: 'registered' | 'unchanged';
  contract: { name: string; version: string; environments: string[] };
  compatibility: {
    against: string | null;
    requiredBump: string;
    verdict: string;
    changes: Array<{ rule: string; class: string; path: string; message: string }>;
  };
}

export function ApplyContract({ onApplied }: { onApplied: () => void }) {
  const [yaml, setYaml] = useState('');
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Applied | null>(null);
  const d = declared(yaml);

  const apply = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const r = await gql<{ applyContract: Applied }>(APPLY_CONTRACT, { yaml });
      setResult(r.applyContract);
      onApplied();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };

  return (
    <section aria-labelledby="apply-heading">
      <h2 id="apply-heading">Apply a contract</h2>
      <form
        className="apply"
        onSubmit={(e) => {
          e.preventDefault();
          if (yaml.trim()) setAsking(true);
        }}
      >
        <label htmlFor="apply-yaml">
          Contract YAML (a new version of this contract, or another contract)
        </label>
        <textarea
          id="apply-yaml"
          rows={12}
          spellCheck={false}
          value={yaml}
          onChange={(e) => setYaml(e.target.value)}
          aria-describedby="apply-help"
        />
        <p id="apply-help" className="small muted">
          A registered version never changes: a new version must bump as its changes demand (breaking → major,
          additive → minor, cosmetic → patch). Applying makes it active in dev.
        </p>
        <div>
          <button type="submit" disabled={!yaml.trim()}>
            Apply…
          </button>
        </div>
      </form>
      {error && <ErrorMessage error={`Not applied: ${error}`} />}
      {result && (
        <div className="ok-note" role="status" data-apply-status={result.status}>
          <p>
            <span aria-hidden="true">✓ </span>
            {result.status === 'registered' ? 'Registered' : 'Already registered with the same content:'}{' '}
            <Link
              href={`/contracts/${encodeURIComponent(result.contract.name)}?version=${encodeURIComponent(result.contract.version)}`}
            >
              {result.contract.name}@{result.contract.version}
            </Link>
            , active in {result.contract.environments.join(', ') || 'no environment'}.{' '}
            {result.compatibility.against
              ? `Against ${result.compatibility.against}: ${result.compatibility.requiredBump} bump required; ${result.compatibility.verdict}.`
              : result.compatibility.verdict}
          </p>
          {result.compatibility.changes.length > 0 && (
            <ul className="small">
              {result.compatibility.changes.map((c, k) => (
                <li key={k}>
                  {c.class} <code>{c.rule}</code>: {c.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <ConfirmDialog
        open={asking}
        title={`Apply ${d.name ?? 'this contract'}${d.version ? `@${d.version}` : ''}?`}
        confirmLabel="Apply"
        busy={busy}
        onConfirm={() => void apply()}
        onCancel={() => setAsking(false)}
      >
        <p>
          The server registers{' '}
          {d.name && d.version ? `${d.name}@${d.version}` : 'the version this YAML declares'} and makes it
          active in dev, or refuses it with the reason (an invalid contract, a changed registered version, a
          bump smaller than its changes need). A registered version cannot be changed afterwards.
        </p>
      </ConfirmDialog>
    </section>
  );
}
