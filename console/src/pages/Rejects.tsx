/**
 * The rejected rows of a run, a page at a time. Pages are keyset pages (rejects after
 * or before a cursor), so the last of a million rows comes as fast as the first. The
 * page remembers where it sits: a forward page from the row index it starts at, a
 * backward page from the index it ends before (the total for the last page).
 */
import { useState } from 'react';
import { REJECTS } from '../api/queries';
import type { RejectedRow } from '../api/types';
import { useLoad } from '../components/useQuery';
import { gql } from '../api/client';
import { ErrorMessage, Loading } from '../components/Feedback';
import { count, value } from '../format';

const PAGE = 25;

type Position =
  | { dir: 'forward'; start: number; after: string | null }
  | { dir: 'backward'; end: number | 'total'; before: string | null };

interface RejectPage {
  totalCount: number;
  nodes: RejectedRow[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

export function Rejects({ id, total }: { id: string; total: number }) {
  const [at, setAt] = useState<Position>({ dir: 'forward', start: 0, after: null });
  const vars =
    at.dir === 'forward' ? { id, first: PAGE, after: at.after } : { id, last: PAGE, before: at.before };
  // The position travels with the page it produced: while the next page loads, the
  // range still describes the rows on screen.
  const q = useLoad<{ page: RejectPage | null; at: Position }>(
    total > 0 ? JSON.stringify([REJECTS, vars]) : null,
    async (signal) => {
      const d = await gql<{ run: { rejects: RejectPage } | null }>(REJECTS, vars, signal);
      return { page: d.run?.rejects ?? null, at };
    },
  );
  const page = q.data?.page;
  const shown = q.data?.at;
  const start =
    !page || !shown
      ? 0
      : shown.dir === 'forward'
        ? shown.start
        : (shown.end === 'total' ? page.totalCount : shown.end) - page.nodes.length;
  return (
    <section aria-labelledby="rejects-heading">
      <h2 id="rejects-heading">Rejected rows ({count(page?.totalCount ?? total)})</h2>
      {total === 0 ? (
        <p className="muted">None.</p>
      ) : q.error ? (
        <ErrorMessage error={q.error} />
      ) : !page ? (
        <Loading what="rejected rows" />
      ) : (
        <>
          <table className="grid rejects" aria-describedby="rejects-range">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col" className="num">
                  Row
                </th>
                <th scope="col">Reasons</th>
                <th scope="col">Raw values</th>
              </tr>
            </thead>
            <tbody>
              {page.nodes.map((r) => (
                <tr key={`${r.rawBatchId}:${r.rowNumber}`} data-row={r.rowNumber}>
                  <td>{r.file ?? <span className="muted">pushed records ({r.rawBatchId})</span>}</td>
                  <th scope="row" className="num">
                    {r.rowNumber}
                  </th>
                  <td>
                    <ul className="reasons">
                      {r.reasons.map((why, i) => (
                        <li key={i}>
                          {why.message}{' '}
                          <span className="muted small">
                            ({why.rule}
                            {why.column ? `, ${why.column}` : ''})
                          </span>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <code className="small">{value(r.raw, 160)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pages of rejected rows" aria-busy={q.loading}>
            <span id="rejects-range">
              Rows {count(start + 1)}–{count(start + page.nodes.length)} of {count(page.totalCount)}
            </span>
            <button
              type="button"
              disabled={q.loading || !page.pageInfo.hasPreviousPage}
              onClick={() => setAt({ dir: 'forward', start: 0, after: null })}
            >
              ⇤ First
            </button>
            <button
              type="button"
              disabled={q.loading || !page.pageInfo.hasPreviousPage}
              onClick={() => setAt({ dir: 'backward', end: start, before: page.pageInfo.startCursor })}
            >
              ← Previous
            </button>
            <button
              type="button"
              disabled={q.loading || !page.pageInfo.hasNextPage}
              onClick={() =>
                setAt({ dir: 'forward', start: start + page.nodes.length, after: page.pageInfo.endCursor })
              }
            >
              Next →
            </button>
            <button
              type="button"
              disabled={q.loading || !page.pageInfo.hasNextPage}
              onClick={() => setAt({ dir: 'backward', end: 'total', before: null })}
            >
              Last ⇥
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
