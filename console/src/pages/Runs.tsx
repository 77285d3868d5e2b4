/**
 * Every run, newest first: filtered and paginated by the server (cursor pages), kept
 * current by the runStatusChanged subscription. A run that changes status updates its
 * row in place; a new run matching the filters appears on the first page; each change
 * is announced to screen readers.
 */
import { useCallback, useMemo, useState } from 'react';
import { CONTRACT_NAMES, RUNS } from '../api/queries';
import {
  RUN_STATUSES,
  RUN_TRIGGERS,
  type RunConnection,
  type RunStatus,
  type RunSummary,
} from '../api/types';
import { useQuery } from '../components/useQuery';
import { useLive, useLiveRuns } from '../components/useLiveRuns';
import { StatusBadge, statusWord } from '../components/Status';
import { ErrorMessage, Loading } from '../components/Feedback';
import { Link, navigate, usePageTitle } from '../router';
import { count, dateTime, duration } from '../format';
import { RunTimeline } from './runs/RunTimeline';

const PAGE = 25;

interface Filters {
  contract: string | null;
  environment: string | null;
  status: RunStatus | null;
  trigger: string | null;
  /** Queued on or after this day (midnight UTC), YYYY-MM-DD. */
  from: string | null;
  /** Queued before this day (midnight UTC), YYYY-MM-DD. */
  to: string | null;
  /** `rejects=1`: only runs that rejected rows. */
  rejects: boolean;
  /** `warnings=1`: only succeeded runs with a warn expectation that did not hold. */
  warnings: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function filtersOf(search: URLSearchParams): Filters {
  const status = search.get('status');
  const trigger = search.get('trigger');
  const day = (name: string) => {
    const v = search.get(name);
    return v && DAY.test(v) ? v : null;
  };
  return {
    contract: search.get('contract') || null,
    environment: search.get('environment') || null,
    status: status && (RUN_STATUSES as string[]).includes(status) ? (status as RunStatus) : null,
    trigger: trigger && RUN_TRIGGERS.includes(trigger) ? trigger : null,
    from: day('from'),
    to: day('to'),
    rejects: search.get('rejects') === '1',
    warnings: search.get('warnings') === '1',
  };
}

/** The runs query's arguments for these filters (server-side filtering). */
function queryArgs(f: Filters): Record<string, unknown> {
  const { rejects, warnings, ...rest } = f;
  return { ...rest, hasRejects: rejects ? true : null, succeededWithWarnings: warnings ? true : null };
}

/** Whether a run that just changed belongs on the first page under these filters. */
function matches(run: RunSummary, f: Filters): boolean {
  if (f.status && run.status !== f.status) return false;
  if (f.trigger && run.trigger !== f.trigger) return false;
  const queued = Date.parse(run.queuedAt);
  if (f.from && queued < Date.parse(f.from)) return false;
  if (f.to && queued >= Date.parse(f.to)) return false;
  if (f.rejects && run.rowsRejected === 0) return false;
  if (f.warnings && !(run.status === 'SUCCEEDED' && run.warnings > 0)) return false;
  return true;
}

export function Runs({ search }: { search: URLSearchParams }) {
  usePageTitle('Runs');
  // Rebuilt only when the address changes, so callbacks that use it stay the same meanwhile.
  const qs = search.toString();
  const filters = useMemo(() => filtersOf(new URLSearchParams(qs)), [qs]);
  // Cursors of the pages before this one; empty on the first page.
  const [cursors, setCursors] = useState<Array<string | null>>([]);
  const after = cursors.length ? cursors[cursors.length - 1] : null;
  const [announcement, setAnnouncement] = useState('');

  const names = useQuery<{ contracts: Array<{ name: string; environments: string[] }> }>(CONTRACT_NAMES, {});
  const contracts = useMemo(
    () => [...new Set(names.data?.contracts.map((c) => c.name))].sort(),
    [names.data],
  );
  const environments = useMemo(
    () => [...new Set(names.data?.contracts.flatMap((c) => c.environments))].sort(),
    [names.data],
  );

  const runs = useQuery<{ runs: RunConnection }>(RUNS, { first: PAGE, after, ...queryArgs(filters) });
  const timeline = search.get('view') === 'timeline';

  const setFilter = (name: keyof Filters | 'view', value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    // Another view of the same page keeps its place; another filter starts at the first page.
    if (name !== 'view') setCursors([]);
    const qs = next.toString();
    navigate(`/runs${qs ? `?${qs}` : ''}`, { replace: true });
  };

  const onFirstPage = cursors.length === 0;
  const onRun = useCallback(
    (run: RunSummary) => {
      runs.setData((d) => {
        if (!d) return d;
        const nodes = d.runs.nodes;
        const i = nodes.findIndex((n) => n.id === run.id);
        if (i >= 0) {
          const next = nodes.slice();
          next[i] = { ...nodes[i]!, ...run };
          return { runs: { ...d.runs, nodes: next } };
        }
        if (!onFirstPage || !matches(run, filters)) return d;
        return {
          runs: { ...d.runs, totalCount: d.runs.totalCount + 1, nodes: [run, ...nodes].slice(0, PAGE) },
        };
      });
      setAnnouncement(`Run ${run.id} of ${run.contract} ${statusWord(run.status)}.`);
    },
    [runs.setData, onFirstPage, filters],
  );
  useLiveRuns(filters, onRun, runs.reload);
  const live = useLive();

  const page = runs.data?.runs;
  const first = cursors.length * PAGE + 1;
  return (
    <>
      <h1>Runs</h1>
      <form className="filters" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <label>
          Contract
          <select value={filters.contract ?? ''} onChange={(e) => setFilter('contract', e.target.value)}>
            <option value="">all</option>
            {contracts.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Environment
          <select
            value={filters.environment ?? ''}
            onChange={(e) => setFilter('environment', e.target.value)}
          >
            <option value="">all</option>
            {environments.map((e) => (
              <option key={e}>{e}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={filters.status ?? ''} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">all</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusWord(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Trigger
          <select value={filters.trigger ?? ''} onChange={(e) => setFilter('trigger', e.target.value)}>
            <option value="">all</option>
            {RUN_TRIGGERS.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Queued from (UTC)
          <input type="date" value={filters.from ?? ''} onChange={(e) => setFilter('from', e.target.value)} />
        </label>
        <label>
          Queued before (UTC)
          <input type="date" value={filters.to ?? ''} onChange={(e) => setFilter('to', e.target.value)} />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={filters.warnings}
            onChange={(e) => setFilter('warnings', e.target.checked ? '1' : '')}
          />{' '}
          Succeeded with warnings
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={filters.rejects}
            onChange={(e) => setFilter('rejects', e.target.checked ? '1' : '')}
          />{' '}
          Has rejects
        </label>
      </form>
      <div className="view-toggle" role="group" aria-label="Show runs as">
        <button type="button" aria-pressed={!timeline} onClick={() => setFilter('view', '')}>
          Table
        </button>
        <button type="button" aria-pressed={timeline} onClick={() => setFilter('view', 'timeline')}>
          Timeline
        </button>
      </div>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      {runs.error && <ErrorMessage error={runs.error} />}
      {!page ? (
        <Loading what="runs" />
      ) : (
        <>
          <p id="runs-count" aria-live="polite">
            {page.totalCount === 0
              ? 'No runs match.'
              : `Runs ${count(first)}–${count(first + page.nodes.length - 1)} of ${count(page.totalCount)}, newest first.`}{' '}
            <span className={live ? 'live-on' : 'muted'} data-live={live ? 'on' : 'off'}>
              {live ? (
                <>
                  <span aria-hidden="true">●</span> updating live
                </>
              ) : (
                <>
                  <span aria-hidden="true">○</span> connecting for live updates…
                </>
              )}
            </span>
          </p>
          {timeline && <RunTimeline runs={page.nodes} />}
          <table className="grid" aria-describedby="runs-count" hidden={timeline}>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Contract</th>
                <th scope="col">Environment</th>
                <th scope="col">Trigger</th>
                <th scope="col">Queued</th>
                <th scope="col">Took</th>
                <th scope="col" className="num">
                  Read
                </th>
                <th scope="col" className="num">
                  Written
                </th>
                <th scope="col" className="num">
                  Rejected
                </th>
              </tr>
            </thead>
            <tbody>
              {page.nodes.map((r) => (
                <tr key={r.id} data-run={r.id}>
                  <th scope="row">
                    <Link href={`/runs/${r.id}`} className="mono">
                      {r.id}
                    </Link>
                  </th>
                  <td>
                    <StatusBadge status={r.status} />
                    {r.warnings > 0 && (
                      <div className="small status-warn" data-warnings={r.warnings}>
                        <span aria-hidden="true">⚠ </span>
                        {r.warnings} warning{r.warnings > 1 ? 's' : ''}
                      </div>
                    )}
                    {r.error && <div className="small error-text">{r.error}</div>}
                  </td>
                  <td>
                    <Link href={`/contracts/${encodeURIComponent(r.contract)}`}>{r.contract}</Link>@
                    {r.contractVersion}
                  </td>
                  <td>{r.environment}</td>
                  <td>{r.trigger}</td>
                  <td>{dateTime(r.queuedAt)}</td>
                  <td>
                    {r.startedAt && r.finishedAt
                      ? duration((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000)
                      : '—'}
                  </td>
                  <td className="num">{count(r.rowsRead)}</td>
                  <td className="num">{count(r.rowsWritten)}</td>
                  <td className="num">{count(r.rowsRejected)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pages of runs">
            <button type="button" disabled={onFirstPage} onClick={() => setCursors((c) => c.slice(0, -1))}>
              ← Newer
            </button>
            <button
              type="button"
              disabled={!page.pageInfo.hasNextPage}
              onClick={() => setCursors((c) => [...c, page.pageInfo.endCursor])}
            >
              Older →
            </button>
          </nav>
        </>
      )}
    </>
  );
}
