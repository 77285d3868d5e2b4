/**
 * Every contract × environment: its active version, freshness against its SLA, the
 * last runs as status marks; above it, what needs attention first (stale views, pairs
 * whose last run failed, paused streams). It follows runs live and reads again on each.
 */
import { useMemo, type ReactNode } from 'react';
import { gql } from '../api/client';
import { LAST_RUNS_CHUNK, OVERVIEW, lastRunsQuery } from '../api/queries';
import type { ContractVersion, Freshness, RunSummary, StreamStatus } from '../api/types';

type RunMark = Pick<
  RunSummary,
  'id' | 'status' | 'queuedAt' | 'error' | 'rowsRead' | 'rowsWritten' | 'rowsRejected'
>;
import { useLoad, useQuery } from '../components/useQuery';
import { throttle, useLiveRuns } from '../components/useLiveRuns';
import { StatusBadge, StatusMark, statusWord } from '../components/Status';
import { FreshnessBadge } from '../components/FreshnessBadge';
import { RowsChart } from '../components/RowsChart';
import { ErrorMessage, Loading } from '../components/Feedback';
import { Link, usePageTitle } from '../router';
import { count, dateTime, duration, isoDuration } from '../format';

const MARKS = 10;

interface Row {
  contract: string;
  environment: string | null;
  version: string | null;
  owner: string;
  freshness: Freshness | undefined;
}

function rowsOf(contracts: ContractVersion[]): Row[] {
  const rows: Row[] = [];
  const names = [...new Set(contracts.map((c) => c.name))].sort();
  for (const name of names) {
    const versions = contracts.filter((c) => c.name === name);
    const active = versions.flatMap((c) => c.environments.map((environment) => ({ c, environment })));
    if (active.length === 0) {
      rows.push({
        contract: name,
        environment: null,
        version: null,
        owner: versions[0]!.owner,
        freshness: undefined,
      });
      continue;
    }
    for (const { c, environment } of active.sort((a, b) => a.environment.localeCompare(b.environment))) {
      rows.push({
        contract: name,
        environment,
        version: c.version,
        owner: c.owner,
        freshness: c.freshness.find((f) => f.environment === environment),
      });
    }
  }
  return rows;
}

/** The last runs of each row, asked in chunks that stay inside the server's limits. */
async function loadLastRuns(rows: Row[], signal: AbortSignal): Promise<RunMark[][]> {
  const chunks: Row[][] = [];
  for (let i = 0; i < rows.length; i += LAST_RUNS_CHUNK) chunks.push(rows.slice(i, i + LAST_RUNS_CHUNK));
  const answers = await Promise.all(
    chunks.map((chunk) => {
      const vars = Object.fromEntries(
        chunk.flatMap((r, i) => [
          [`c${i}`, r.contract],
          [`e${i}`, r.environment],
        ]),
      );
      return gql<Record<string, { nodes: RunMark[] }>>(lastRunsQuery(chunk.length, MARKS), vars, signal);
    }),
  );
  return answers.flatMap((a, c) => chunks[c]!.map((_, i) => a[`r${i}`]?.nodes ?? []));
}

export function Overview() {
  usePageTitle('Overview');
  const overview = useQuery<{ contracts: ContractVersion[]; streams: StreamStatus[] }>(OVERVIEW, {});
  const rows = useMemo(() => rowsOf(overview.data?.contracts ?? []), [overview.data]);
  const active = rows.filter((r) => r.environment !== null);
  const runs = useLoad<RunMark[][]>(
    active.length ? JSON.stringify(active.map((r) => [r.contract, r.environment])) : null,
    (signal) => loadLastRuns(active, signal),
  );
  const reloadAll = useMemo(
    () =>
      throttle(() => {
        overview.reload();
        runs.reload();
      }, 1000),
    [overview.reload, runs.reload],
  );
  useLiveRuns({}, reloadAll, reloadAll);

  if (overview.error) return <ErrorMessage error={overview.error} />;
  if (!overview.data) return <Loading what="contracts" />;

  const runsOf = (r: Row): RunMark[] => {
    const i = active.indexOf(r);
    return i >= 0 ? (runs.data?.[i] ?? []) : [];
  };

  return (
    <>
      <h1>Overview</h1>
      <Attention rows={active} lastRuns={runsOf} streams={overview.data.streams} />
      <section aria-labelledby="contracts-heading">
        <h2 id="contracts-heading">Contracts by environment</h2>
        {runs.error && <ErrorMessage error={runs.error} />}
        <table className="grid" aria-describedby="contracts-heading">
          <thead>
            <tr>
              <th scope="col">Contract</th>
              <th scope="col">Environment</th>
              <th scope="col">Active version</th>
              <th scope="col">Freshness</th>
              <th scope="col">Last runs (newest first)</th>
              <th scope="col">Rows written / rejected</th>
              <th scope="col">Last run</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const last = runsOf(r);
              const newest = last[0];
              return (
                <tr
                  key={`${r.contract}/${r.environment}`}
                  data-contract={r.contract}
                  data-environment={r.environment ?? ''}
                >
                  <th scope="row">
                    <Link href={`/contracts/${encodeURIComponent(r.contract)}`}>{r.contract}</Link>
                    <div className="muted small">owner {r.owner}</div>
                    {/* --- lineage and features of the contract (issue 16) --- */}
                    <div className="small">
                      <Link href={`/lineage?contract=${encodeURIComponent(r.contract)}`}>lineage</Link> ·{' '}
                      <Link href={`/features?contract=${encodeURIComponent(r.contract)}`}>features</Link>
                    </div>
                  </th>
                  <td>{r.environment ?? <span className="muted">none</span>}</td>
                  <td>{r.version ?? <span className="muted">no active version</span>}</td>
                  <td>
                    <FreshnessBadge f={r.freshness} />
                  </td>
                  <td>
                    {last.length === 0 ? (
                      <span className="muted">no runs yet</span>
                    ) : (
                      <ul
                        className="marks"
                        aria-label={`last ${last.length} runs of ${r.contract} in ${r.environment}`}
                      >
                        {last.map((run) => (
                          <li key={run.id}>
                            <Link href={`/runs/${run.id}`}>
                              <StatusMark
                                status={run.status}
                                label={`${statusWord(run.status)} ${dateTime(run.queuedAt)} (${run.id})`}
                              />
                            </Link>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>
                    {last.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      <RowsChart runs={last} subject={`${r.contract} in ${r.environment}`} />
                    )}
                  </td>
                  <td>
                    {newest ? (
                      <>
                        <Link href={`/runs/${newest.id}`}>
                          <StatusBadge status={newest.status} />
                        </Link>
                        <div className="muted small">
                          {dateTime(newest.queuedAt)} · read {count(newest.rowsRead)} · written{' '}
                          {count(newest.rowsWritten)} · rejected {count(newest.rowsRejected)}
                        </div>
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </>
  );
}

function Attention({
  rows,
  lastRuns,
  streams,
}: {
  rows: Row[];
  lastRuns: (r: Row) => RunMark[];
  streams: StreamStatus[];
}) {
  const items: Array<{ key: string; node: ReactNode }> = [];
  for (const r of rows) {
    const last = lastRuns(r)[0];
    if (last?.status === 'FAILED') {
      items.push({
        key: `failed-${last.id}`,
        node: (
          <>
            <StatusBadge status="FAILED" /> <strong>{r.contract}</strong> in {r.environment}: the last run{' '}
            <Link href={`/runs/${last.id}`}>{last.id}</Link> failed{last.error ? `: ${last.error}` : ''}
          </>
        ),
      });
    }
  }
  for (const r of rows) {
    if (r.freshness?.stale) {
      const f = r.freshness;
      items.push({
        key: `stale-${r.contract}-${r.environment}`,
        node: (
          <>
            <span className="fresh fresh-stale">
              <span aria-hidden="true">⚠</span> <strong>Stale</strong>
            </span>{' '}
            <Link href={`/contracts/${encodeURIComponent(r.contract)}`}>{r.contract}</Link> in {r.environment}
            : {f.ageSeconds === null ? 'no rows yet' : `newest row ${duration(f.ageSeconds)} old`}
            {f.sla ? `, SLA ${isoDuration(f.sla)}` : ''}
          </>
        ),
      });
    }
  }
  for (const s of streams.filter((s) => s.paused)) {
    items.push({
      key: `paused-${s.contract}-${s.environment}`,
      node: (
        <>
          <span className="status status-failed">
            <span aria-hidden="true">⏸</span> paused
          </span>{' '}
          stream of <strong>{s.contract}</strong> in {s.environment}
          {s.error ? `: ${s.error}` : ''}
          {s.lastRunId && (
            <>
              {' '}
              (<Link href={`/runs/${s.lastRunId}`}>failed run</Link>)
            </>
          )}
        </>
      ),
    });
  }
  return (
    <section aria-labelledby="attention-heading" className="attention">
      <h2 id="attention-heading">Needs attention ({items.length})</h2>
      {items.length === 0 ? (
        <p>
          <span aria-hidden="true">✓ </span>Nothing: every view is fresh and every last run succeeded.
        </p>
      ) : (
        <ul>
          {items.map((i) => (
            <li key={i.key}>{i.node}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
