/**
 * The validation report: one row per expectation, as a reviewer reads it; given the
 * run, each expectation's history over the last runs follows the table.
 */
import type { RunDetail } from '../api/types';
import { ExpectationHistory } from './run/ExpectationHistory';
import { count, percent, value } from '../format';
import { matchDefinitions, otherDetails, thresholdOf } from './expectation-threshold';

export function ValidationReport({
  report,
  definitions,
  run,
}: {
  report: RunDetail['validation'];
  definitions: Array<Record<string, unknown>>;
  /** The run the report is of: its expectations' history is shown after the table. */
  run?: RunDetail;
}) {
  if (!report)
    return (
      <section aria-labelledby="validation-heading">
        <h2 id="validation-heading">Validation report</h2>
        <p className="muted">No report: the run stopped before validation.</p>
      </section>
    );
  const defs = matchDefinitions(report.results, definitions);
  const s = report.statistics;
  return (
    <section aria-labelledby="validation-heading">
      <h2 id="validation-heading">Validation report</h2>
      <p>
        {report.success ? (
          <span className="status status-succeeded">
            <span aria-hidden="true">✓</span> passed
          </span>
        ) : (
          <span className="status status-failed">
            <span aria-hidden="true">✗</span> failed
          </span>
        )}{' '}
        {s.successfulExpectations} of {s.evaluatedExpectations} expectations held ({percent(s.successPercent)}
        ); a failed <em>fail</em> expectation fails the run, <em>reject</em> rejects its rows, <em>warn</em>{' '}
        only reports.
      </p>
      <table className="grid validation">
        <thead>
          <tr>
            <th scope="col">Result</th>
            <th scope="col">Expectation</th>
            <th scope="col">Severity</th>
            <th scope="col">Observed</th>
            <th scope="col">Threshold</th>
            <th scope="col" className="num">
              Unexpected
            </th>
            <th scope="col">Mostly</th>
            <th scope="col">Sample values</th>
          </tr>
        </thead>
        <tbody>
          {report.results.map((r, i) => {
            const name = `${r.expect}${r.column ? `(${r.column})` : r.columns ? `(${r.columns.join(', ')})` : ''}`;
            const other = otherDetails(r);
            // An aggregate (mean, row count, ...) is held as a whole: no row is "unexpected".
            const aggregate = r.observedValue !== null && r.observedValue !== undefined;
            return (
              <tr key={i} data-expectation={name} data-success={r.success}>
                <td>
                  {r.success ? (
                    <span className="status status-succeeded">
                      <span aria-hidden="true">✓</span> held
                    </span>
                  ) : (
                    <span className={`status ${r.severity === 'warn' ? 'status-warn' : 'status-failed'}`}>
                      <span aria-hidden="true">{r.severity === 'warn' ? '⚠' : '✗'}</span> did not hold
                    </span>
                  )}
                </td>
                <th scope="row" className="mono">
                  {name}
                  {other && <div className="small muted">{other}</div>}
                </th>
                <td>{r.severity}</td>
                <td data-cell="observed">
                  {r.observedValue === null || r.observedValue === undefined ? '—' : value(r.observedValue)}
                </td>
                <td data-cell="threshold">{thresholdOf(r, defs[i])}</td>
                <td className="num" data-cell="unexpected">
                  {r.unexpectedCount === null || (aggregate && r.unexpectedCount === 0) ? (
                    '—'
                  ) : (
                    <>
                      {count(r.unexpectedCount)} of {count(r.elementCount)}
                      <div className="small">{percent(r.unexpectedPercent)}</div>
                    </>
                  )}
                </td>
                <td>
                  {r.mostly === null ? (
                    '—'
                  ) : (
                    <>
                      {r.mostly}
                      <div className="small muted">
                        needs {percent(r.mostly * 100)} expected
                        {r.unexpectedPercent !== null && `, had ${percent(100 - r.unexpectedPercent)}`}
                      </div>
                    </>
                  )}
                </td>
                <td>
                  {r.sample && r.sample.length > 0 ? (
                    <details>
                      <summary>
                        {r.sample.length} of {count(r.unexpectedCount)}
                      </summary>
                      <ul className="samples">
                        {r.sample.map((s, j) => (
                          <li key={j}>
                            row {s.rowNumber}
                            {s.file ? ` (${s.file})` : ''}: <code>{value(s.value, 60)}</code>
                          </li>
                        ))}
                      </ul>
                    </details>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {run && <ExpectationHistory run={run} definitions={definitions} />}
    </section>
  );
}
