/** The rejected rows of a run, a page at a time (offset pages read by the server). */
import { useState } from 'react';
import { REJECTS } from '../api/queries';
import type { RejectedRow } from '../api/types';
import { useQuery } from '../components/useQuery';
import { ErrorMessage, Loading } from '../components/Feedback';
import { count, value } from '../format';

const PAGE = 25;

export function Rejects({ id, total }: { id: string; total: number }) {
  const [offset, setOffset] = useState(0);
  const q = useQuery<{ run: { rejects: { totalCount: number; nodes: RejectedRow[] } } | null }>(
    total > 0 ? REJECTS : null,
    { id, first: PAGE, offset },
  );
  const page = q.data?.run?.rejects;
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
          <nav className="pager" aria-label="Pages of rejected rows">
            <span id="rejects-range">
              Rows {count(offset + 1)}–{count(offset + page.nodes.length)} of {count(page.totalCount)}
            </span>
            <button
              type="button"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - PAGE))}
            >
              ← Previous
            </button>
            <button
              type="button"
              disabled={offset + PAGE >= page.totalCount}
              onClick={() => setOffset(offset + PAGE)}
            >
              Next →
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
