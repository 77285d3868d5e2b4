/**
 * Where a run's time went: each stage with its wall time, its share of the run as a bar
 * (the bar repeats the number written beside it, so nothing is told by the bar alone),
 * and the rows it handled with their rate.
 */
import type { RunStage } from '../../api/types';
import { count } from '../../format';

function ms(v: number): string {
  if (v < 1) return '< 1 ms';
  if (v < 1000) return `${Math.round(v)} ms`;
  return `${(v / 1000).toFixed(v < 10_000 ? 2 : 1)} s`;
}

function rate(rows: number | null, v: number): string {
  if (rows === null || rows === 0 || v <= 0) return '—';
  return `${count(Math.round((rows * 1000) / v))} rows/s`;
}

export function StageTimings({ stages, status }: { stages: RunStage[] | null; status: string }) {
  const total = (stages ?? []).reduce((sum, s) => sum + s.ms, 0);
  return (
    <section aria-labelledby="stages-heading">
      <h2 id="stages-heading">Stages</h2>
      {!stages ? (
        <p className="muted">
          {status === 'QUEUED' || status === 'RUNNING'
            ? 'Known when the run ends.'
            : 'Not recorded for this run (it ran before stage timings were kept).'}
        </p>
      ) : (
        <table className="grid stages">
          <caption className="muted small">
            {stages.length} stages, {ms(total)} in all
            {stages.some((s) => s.name === 'transform and write features')
              ? '; the commit transaction holds the stages from “transform and write features” on.'
              : '; it ended before its commit.'}
          </caption>
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col" className="num">
                Time
              </th>
              <th scope="col">Share</th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col" className="num">
                Rate
              </th>
            </tr>
          </thead>
          <tbody>
            {stages.map((s) => {
              const share = total > 0 ? (s.ms / total) * 100 : 0;
              return (
                <tr key={s.name} data-stage={s.name}>
                  <th scope="row">{s.name}</th>
                  <td className="num">{ms(s.ms)}</td>
                  <td>
                    <span className="stage-share">
                      <span
                        className="stage-bar"
                        style={{ width: `${share.toFixed(1)}%` }}
                        aria-hidden="true"
                      />
                      <span className="small">{share.toFixed(0)}%</span>
                    </span>
                  </td>
                  <td className="num">{s.rows === null ? '—' : count(s.rows)}</td>
                  <td className="num">{rate(s.rows, s.ms)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
