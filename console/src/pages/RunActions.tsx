/**
 * Rollback and reprocess on a run's page, for keys whose role may take them (admin):
 * each asks first, saying what will change (rows hidden, later runs reprocessed, the
 * version the raw batches run under), then calls the mutation. The server has the
 * last word: a refusal (another role, a run that changed meanwhile) shows as it says.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { gql } from '../api/client';
import {
  CONTRACT_VERSIONS,
  REPROCESS_RUN,
  ROLLBACK_PREVIEW,
  ROLLBACK_RUN,
  roleAllows,
  type RollbackPreview,
} from '../api/actions';
import type { RunDetail } from '../api/types';
import { useViewer } from '../auth/useViewer';
import { useQuery } from '../components/useQuery';
import { StatusBadge } from '../components/Status';
import { ErrorMessage, Loading } from '../components/Feedback';
import { Link } from '../router';
import { count, dateTime } from '../format';

type Outcome = { kind: 'done'; text: ReactNode } | null;

export function RunActions({ run, onChanged }: { run: RunDetail; onChanged: () => void }) {
  const viewer = useViewer();
  const [open, setOpen] = useState<'rollback' | 'reprocess' | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const busy = run.status === 'QUEUED' || run.status === 'RUNNING';
  const finish = (o: Outcome) => {
    setOpen(null);
    setOutcome(o);
    onChanged();
  };
  return (
    <section aria-labelledby="actions-heading" className="run-actions">
      <h2 id="actions-heading">Actions</h2>
      {viewer === null ? (
        <Loading what="what this key may do" />
      ) : !roleAllows(viewer.role, 'admin') ? (
        <p className="muted" data-actions="hidden">
          Rolling back or reprocessing a run needs an admin key; this key ({viewer.actor}) has the role{' '}
          {viewer.role}.
        </p>
      ) : (
        <p className="action-buttons">
          <button type="button" onClick={() => setOpen('rollback')} disabled={busy}>
            Roll back…
          </button>{' '}
          <button
            type="button"
            onClick={() => setOpen('reprocess')}
            disabled={busy || run.rawBatches.length === 0}
          >
            Reprocess…
          </button>
          {busy && <span className="muted"> (once the run has finished)</span>}
        </p>
      )}
      <div role="status" aria-live="polite" data-outcome={outcome?.kind ?? ''}>
        {outcome?.kind === 'done' && <p className="ok-note">{outcome.text}</p>}
      </div>
      {open === 'rollback' && <RollbackDialog run={run} onClose={() => setOpen(null)} onDone={finish} />}
      {open === 'reprocess' && <ReprocessDialog run={run} onClose={() => setOpen(null)} onDone={finish} />}
    </section>
  );
}

/** A modal dialog (the browser's own: focus kept inside, Escape closes it). */
function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} className="confirm" aria-labelledby="confirm-heading" onClose={onClose}>
      <h2 id="confirm-heading">{title}</h2>
      {children}
    </dialog>
  );
}

function refusal(e: unknown): string {
  return `The server refused: ${e instanceof Error ? e.message : String(e)}`;
}

function RollbackDialog({
  run,
  onClose,
  onDone,
}: {
  run: RunDetail;
  onClose: () => void;
  onDone: (o: Outcome) => void;
}) {
  const q = useQuery<{ run: { rollbackPreview: RollbackPreview } | null }>(ROLLBACK_PREVIEW, { id: run.id });
  const p = q.data?.run?.rollbackPreview;
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const confirm = async () => {
    setSending(true);
    setError(null);
    try {
      await gql(ROLLBACK_RUN, { id: run.id });
      const later = p?.reprocessed.length ?? 0;
      onDone({
        kind: 'done',
        text: `Run ${run.id} rolled back: ${count(p?.rowsHidden ?? 0)} feature rows hidden${
          later ? `, ${later} later run${later === 1 ? '' : 's'} queued to reprocess` : ''
        }.`,
      });
    } catch (e) {
      setError(refusal(e));
    } finally {
      setSending(false);
    }
  };
  return (
    <Dialog title={`Roll back run ${run.id}?`} onClose={onClose}>
      {q.error && <ErrorMessage error={q.error} />}
      {!p && !q.error && <Loading what="what the rollback would change" />}
      {p && !p.allowed && <ErrorMessage error={`It cannot be rolled back: ${p.refusal ?? 'refused'}`} />}
      {p && p.allowed && (
        <ul className="effects">
          <li data-effect="rows-hidden">
            <strong>{count(p.rowsHidden)}</strong> feature rows this run wrote stop being visible; where it
            corrected earlier rows, their values are served again.
          </li>
          <li data-effect="reprocessed">
            {p.reprocessed.length === 0 ? (
              'No later run is reprocessed.'
            ) : (
              <>
                {p.reprocessed.length} later run{p.reprocessed.length === 1 ? '' : 's'} read its rows (window
                features) and {p.reprocessed.length === 1 ? 'is' : 'are'} reprocessed without them:{' '}
                {p.reprocessed.map((r, i) => (
                  <span key={r.id}>
                    {i > 0 && ', '}
                    <Link href={`/runs/${r.id}`} className="mono">
                      {r.id}
                    </Link>{' '}
                    ({dateTime(r.queuedAt)})
                  </span>
                ))}
                .
              </>
            )}
          </li>
          <li>Nothing is deleted: the feature explorer still shows these rows as known before now.</li>
        </ul>
      )}
      {error && <ErrorMessage error={error} />}
      <p className="action-buttons">
        {p?.allowed && (
          <button type="button" className="danger" onClick={confirm} disabled={sending}>
            {sending ? 'Rolling back…' : 'Roll back run'}
          </button>
        )}{' '}
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </p>
    </Dialog>
  );
}

function ReprocessDialog({
  run,
  onClose,
  onDone,
}: {
  run: RunDetail;
  onClose: () => void;
  onDone: (o: Outcome) => void;
}) {
  const versions = useQuery<{ contract: { versions: string[] } | null }>(CONTRACT_VERSIONS, {
    name: run.contract,
  });
  const [version, setVersion] = useState(run.contractVersion);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const serves = run.status === 'SUCCEEDED' || run.status === 'SUPERSEDED';
  const sameMajor = version.split('.')[0] === run.contractVersion.split('.')[0];
  const confirm = async () => {
    setSending(true);
    setError(null);
    try {
      const { reprocessRun: r } = await gql<{ reprocessRun: { id: string; status: string } }>(REPROCESS_RUN, {
        id: run.id,
        contractVersion: version,
      });
      onDone({
        kind: 'done',
        text: (
          <>
            Reprocess queued as run{' '}
            <Link href={`/runs/${r.id}`} className="mono">
              {r.id}
            </Link>{' '}
            under {run.contract}@{version}.
          </>
        ),
      });
    } catch (e) {
      setError(refusal(e));
    } finally {
      setSending(false);
    }
  };
  return (
    <Dialog title={`Reprocess run ${run.id}?`} onClose={onClose}>
      <p>
        <label htmlFor="reprocess-version">Contract version</label>{' '}
        <select id="reprocess-version" value={version} onChange={(e) => setVersion(e.target.value)}>
          {(versions.data?.contract?.versions ?? [run.contractVersion]).map((v) => (
            <option key={v}>{v}</option>
          ))}
        </select>
      </p>
      <ul className="effects">
        <li data-effect="batches">
          Its {run.rawBatches.length} raw batch{run.rawBatches.length === 1 ? '' : 'es'} (
          {count(run.rawBatches.reduce((n, b) => n + (b.rowCount ?? 0), 0))} rows) run again as a new run
          under {run.contract}@{version}.
        </li>
        <li data-effect="replaces">
          {serves && sameMajor
            ? 'When it commits, the new run replaces the rows served for these batches now (this run is superseded); readers never see both.'
            : serves
              ? `Version ${version} is another major: the new run writes that major's feature view and replaces nothing here.`
              : `This run is ${run.status.toLowerCase().replace('_', ' ')} and serves no rows, so the new run replaces nothing.`}
        </li>
      </ul>
      {error && <ErrorMessage error={error} />}
      <p className="action-buttons">
        <button type="button" onClick={confirm} disabled={sending}>
          {sending ? 'Queueing…' : 'Reprocess run'}
        </button>{' '}
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </p>
      <p className="muted small">
        Current status: <StatusBadge status={run.status} />
      </p>
    </Dialog>
  );
}
