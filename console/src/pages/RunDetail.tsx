/**
 * One run as a reviewer reads it: what it read and wrote, why it failed, its
 * validation report (each expectation's observed value against its threshold), the
 * rejected rows with their file and row number, its raw batches, and the runs before
 * and after it. While the run is queued or running, its status follows live.
 */
import { useCallback } from 'react';
import { CONTRACT_EXPECTATIONS, RUN } from '../api/queries';
import type { RunDetail as Run, RunLink, RunSummary } from '../api/types';
import { useQuery } from '../components/useQuery';
import { useLiveRuns } from '../components/useLiveRuns';
import { StatusBadge } from '../components/Status';
import { ErrorMessage, Loading } from '../components/Feedback';
import { Link, usePageTitle } from '../router';
import { bytes, count, dateTime, duration } from '../format';
import { StageTimings } from './run/StageTimings';
import { Profiles } from './run/Profiles';
import { ValidationReport } from './ValidationReport';
import { Rejects } from './Rejects';
import { RunActions } from './RunActions';

export function RunDetail({ id }: { id: string }) {
  usePageTitle(`Run ${id}`);
  const q = useQuery<{ run: Run | null }>(RUN, { id });
  const run = q.data?.run;
  const expectations = useQuery<{
    contract: {
      expectations: unknown;
      schema: Array<{ name: string; type: string }>;
      features: Array<{ name: string; type: string }>;
    } | null;
  }>(run ? CONTRACT_EXPECTATIONS : null, run ? { name: run.contract, version: run.contractVersion } : {});
  const live = run && (run.status === 'QUEUED' || run.status === 'RUNNING');
  const onRun = useCallback((r: RunSummary) => r.id === id && q.reload(), [id, q.reload]);
  useLiveRuns(live ? { contract: run.contract, environment: run.environment } : null, onRun, q.reload);

  if (q.error) return <ErrorMessage error={q.error} />;
  if (!q.data) return <Loading what={`run ${id}`} />;
  if (!run)
    return (
      <>
        <h1>Run not found</h1>
        <p>
          No run has the id <code>{id}</code>. <Link href="/runs">All runs</Link>.
        </p>
      </>
    );

  const took =
    run.startedAt && run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : null;
  const defs = Array.isArray(expectations.data?.contract?.expectations)
    ? (expectations.data.contract.expectations as Array<Record<string, unknown>>)
    : [];
  return (
    <>
      <p className="crumbs">
        <Link href="/runs">Runs</Link> ›{' '}
        <Link href={`/runs?contract=${encodeURIComponent(run.contract)}`}>{run.contract}</Link>
      </p>
      <h1>
        Run <span className="mono">{run.id}</span> <StatusBadge status={run.status} />
      </h1>
      {run.error && (
        <p className="error" role="note">
          <span aria-hidden="true">✗ </span>
          <strong>Why it failed{run.errorKind ? ` (${run.errorKind})` : ''}:</strong> {run.error}
        </p>
      )}
      <section aria-labelledby="counts-heading">
        <h2 id="counts-heading">Counts</h2>
        <dl className="counts">
          {(
            [
              ['Read', run.rowsRead],
              ['Valid', run.rowsValid],
              ['Filtered', run.rowsFiltered],
              ['Rejected', run.rowsRejected],
              ['Written', run.rowsWritten],
            ] as const
          ).map(([label, n]) => (
            <div key={label} data-count={label.toLowerCase()}>
              <dt>{label}</dt>
              <dd>{count(n)}</dd>
            </div>
          ))}
        </dl>
        <dl className="facts">
          <dt>Contract</dt>
          <dd>
            <Link href={`/contracts/${encodeURIComponent(run.contract)}`}>{run.contract}</Link>@
            {run.contractVersion} <span className="muted mono">hash {run.contractHash.slice(0, 12)}</span>
          </dd>
          <dt>Environment</dt>
          <dd>{run.environment}</dd>
          <dt>Trigger</dt>
          <dd>
            {run.trigger} by {run.createdBy}, attempt {run.attempt}
          </dd>
          <dt>Queued / started / finished</dt>
          <dd>
            {dateTime(run.queuedAt)} / {dateTime(run.startedAt)} / {dateTime(run.finishedAt)}
            {took !== null && ` (took ${duration(took)})`}
          </dd>
          <dt>Rows visible</dt>
          <dd>
            {run.committedAt ? `from ${dateTime(run.committedAt)}` : 'never (nothing committed)'}
            {run.invalidatedAt && ` until ${dateTime(run.invalidatedAt)}`}
          </dd>
          <dt>Code version</dt>
          <dd className="mono">{run.codeVersion}</dd>
          {run.outputDigest && (
            <>
              <dt>Output digest</dt>
              <dd className="mono">{run.outputDigest}</dd>
            </>
          )}
        </dl>
      </section>
      <StageTimings stages={run.stages} status={run.status} />
      {/* --- run actions and lineage (issue 16) --- */}
      <RunActions run={run} onChanged={q.reload} />
      <p>
        <Link href={`/lineage?run=${encodeURIComponent(run.id)}`}>Lineage of this run</Link> ·{' '}
        <Link href={`/lineage?contract=${encodeURIComponent(run.contract)}`}>lineage of {run.contract}</Link>
      </p>
      {/* --- end run actions and lineage --- */}
      <section aria-labelledby="family-heading">
        <h2 id="family-heading">Parent and children</h2>
        <dl className="facts">
          <dt>Parent (the run this one retried or reprocessed)</dt>
          <dd>
            <RunLinks runs={run.parent ? [run.parent] : []} />
          </dd>
          <dt>Children (runs that retried or reprocessed this one)</dt>
          <dd>
            <RunLinks runs={run.children} />
          </dd>
        </dl>
      </section>
      <ValidationReport report={run.validation} definitions={defs} run={run} />
      <Profiles
        profiles={run.profile}
        status={run.status}
        types={typesOf(expectations.data?.contract ?? null)}
      />
      <Rejects id={run.id} total={run.rowsRejected} />
      <section aria-labelledby="batches-heading">
        <h2 id="batches-heading">Raw batches ({run.rawBatches.length})</h2>
        {run.rawBatches.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <table className="grid">
            <thead>
              <tr>
                <th scope="col">Batch</th>
                <th scope="col">Source</th>
                <th scope="col">sha256</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col" className="num">
                  Rows
                </th>
                <th scope="col">Received</th>
              </tr>
            </thead>
            <tbody>
              {run.rawBatches.map((b) => (
                <tr key={b.id}>
                  <th scope="row" className="mono">
                    {b.id}
                  </th>
                  <td>
                    {b.sourceType}
                    {b.sourceUri && <div className="small mono hash">{b.sourceUri}</div>}
                  </td>
                  <td className="mono small hash">{b.sha256}</td>
                  <td className="num">{bytes(b.sizeBytes)}</td>
                  <td className="num">{count(b.rowCount)}</td>
                  <td>{dateTime(b.receivedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function RunLinks({ runs }: { runs: RunLink[] }) {
  if (runs.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="run-links">
      {runs.map((r) => (
        <li key={r.id}>
          <Link href={`/runs/${r.id}`} className="mono">
            {r.id}
          </Link>{' '}
          <StatusBadge status={r.status} /> {r.trigger}, {dateTime(r.queuedAt)}
        </li>
      ))}
    </ul>
  );
}

/** `column:name` / `feature:name` → its declared type, for showing profiles of times as times. */
function typesOf(
  c: {
    schema: Array<{ name: string; type: string }>;
    features: Array<{ name: string; type: string }>;
  } | null,
): Map<string, string> {
  const m = new Map<string, string>();
  for (const col of c?.schema ?? []) m.set(`column:${col.name}`, col.type);
  for (const f of c?.features ?? []) m.set(`feature:${f.name}`, f.type);
  return m;
}
