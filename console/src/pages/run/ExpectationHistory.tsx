/**
 * Each expectation of a run over the last runs of its contract and environment (up to
 * and including this one): a small chart per expectation of the observed value per run
 * (the measured value of an aggregate, the unexpected percent of a row check) against
 * its threshold (dashed). A point that held is a dot, one that did not is a cross, so
 * the chart reads without colour; each point is a link to its run, named in words.
 */
import type { ExpectationResult, RunDetail, RunStatus } from '../../api/types';
import { EXPECTATION_HISTORY } from '../../api/queries';
import { useQuery } from '../../components/useQuery';
import { ErrorMessage, Loading } from '../../components/Feedback';
import { navigate } from '../../router';
import { dateTime } from '../../format';

/** How many runs back the charts go. */
export const HISTORY_RUNS = 20;

interface HistoryRun {
  id: string;
  status: RunStatus;
  queuedAt: string;
  contractVersion: string;
  validation: { results: ExpectationResult[] } | null;
}

interface Point {
  run: HistoryRun;
  value: number;
  success: boolean;
}

interface Series {
  name: string;
  metric: 'observed' | 'unexpected %';
  points: Point[];
  /** The bounds of the newest point's expectation. */
  min: number | null;
  max: number | null;
}

const keyOf = (r: ExpectationResult) => JSON.stringify([r.expect, r.column ?? null, r.columns ?? null]);
const nameOf = (r: ExpectationResult) =>
  `${r.expect}${r.column ? `(${r.column})` : r.columns ? `(${r.columns.join(', ')})` : ''}`;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The nth result with this key in a report (an expectation may appear twice). */
function nth(results: ExpectationResult[], key: string, n: number): ExpectationResult | undefined {
  return results.filter((r) => keyOf(r) === key)[n];
}

function pointOf(r: ExpectationResult): { value: number; metric: Series['metric'] } | null {
  const observed = num(r.observedValue);
  if (observed !== null) return { value: observed, metric: 'observed' };
  const pct = num(r.unexpectedPercent);
  if (pct !== null) return { value: pct, metric: 'unexpected %' };
  return null;
}

function boundsOf(r: ExpectationResult, metric: Series['metric'], def: Record<string, unknown> | undefined) {
  if (metric === 'observed')
    return {
      min: num(r.details?.min) ?? num(def?.min),
      max: num(r.details?.max) ?? num(def?.max),
    };
  // A row check holds while the unexpected share stays within 1 − mostly.
  return { min: null, max: (1 - (r.mostly ?? 1)) * 100 };
}

export function seriesOf(
  current: ExpectationResult[],
  runs: HistoryRun[],
  definitions: Array<Record<string, unknown>>,
): Series[] {
  const seen = new Map<string, number>();
  const oldestFirst = [...runs].reverse();
  return current.flatMap((r) => {
    const key = keyOf(r);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const here = pointOf(r);
    if (!here) return [];
    const points: Point[] = [];
    for (const run of oldestFirst) {
      const found = run.validation ? nth(run.validation.results, key, n) : undefined;
      const p = found ? pointOf(found) : null;
      if (p && p.metric === here.metric) points.push({ run, value: p.value, success: found!.success });
    }
    const def = definitions.filter(
      (d) => JSON.stringify([d.expect, d.column ?? null, d.columns ?? null]) === key,
    )[n];
    return [{ name: nameOf(r), metric: here.metric, points, ...boundsOf(r, here.metric, def) }];
  });
}

export function ExpectationHistory({
  run,
  definitions,
}: {
  run: RunDetail;
  definitions: Array<Record<string, unknown>>;
}) {
  const results = run.validation?.results ?? [];
  const q = useQuery<{ runs: { nodes: HistoryRun[] } }>(results.length ? EXPECTATION_HISTORY : null, {
    contract: run.contract,
    environment: run.environment,
    // Runs queued up to and including this one (the bound is exclusive).
    to: new Date(Date.parse(run.queuedAt) + 1).toISOString(),
    first: HISTORY_RUNS,
  });
  if (results.length === 0) return null;
  const runs = q.data?.runs.nodes;
  const series = runs ? seriesOf(results, runs, definitions) : [];
  return (
    <section aria-labelledby="history-heading">
      <h3 id="history-heading">Expectation history</h3>
      {q.error ? (
        <ErrorMessage error={q.error} />
      ) : !runs ? (
        <Loading what="the expectation history" />
      ) : (
        <>
          <p className="muted small">
            The last {runs.length} run{runs.length > 1 ? 's' : ''} of {run.contract} in {run.environment}, up
            to this one (ringed). ● held, ✗ did not hold; dashed lines are the thresholds.
          </p>
          <div className="history-grid">
            {series.map((s, i) => (
              <Chart key={i} series={s} currentId={run.id} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}

const W = 300;
const H = 110;
const PAD = { left: 44, right: 12, top: 10, bottom: 18 };

function fmt(v: number): string {
  return Math.abs(v) >= 1000 || Number.isInteger(v)
    ? v.toLocaleString('en')
    : v.toPrecision(4).replace(/\.?0+$/, '');
}

function Chart({ series: s, currentId }: { series: Series; currentId: string }) {
  const values = [...s.points.map((p) => p.value), ...[s.min, s.max].filter((v): v is number => v !== null)];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi === lo) {
    lo -= 1;
    hi += 1;
  }
  const padY = (hi - lo) * 0.08;
  lo -= padY;
  hi += padY;
  const n = s.points.length;
  const x = (i: number) =>
    PAD.left + (n <= 1 ? (W - PAD.left - PAD.right) / 2 : (i / (n - 1)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const held = s.points.filter((p) => p.success).length;
  const last = s.points.at(-1);
  const bounds = [s.min !== null ? `min ${fmt(s.min)}` : null, s.max !== null ? `max ${fmt(s.max)}` : null]
    .filter(Boolean)
    .join(', ');
  const captionId = `history-${s.name.replace(/\W+/g, '-')}`;
  return (
    <figure className="history" data-history={s.name}>
      <figcaption id={captionId}>
        <span className="mono">{s.name}</span>{' '}
        <span className="small muted">
          {s.metric}
          {bounds && ` against ${bounds}`}: {held} of {n} held
          {last ? `; this run ${fmt(last.value)}` : ''}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="group" aria-labelledby={captionId}>
        <g aria-hidden="true">
          <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={H - PAD.bottom} className="axis" />
          <text x={PAD.left - 4} y={y(hi - padY) + 4} textAnchor="end" className="tick-label">
            {fmt(hi - padY)}
          </text>
          <text x={PAD.left - 4} y={y(lo + padY) + 4} textAnchor="end" className="tick-label">
            {fmt(lo + padY)}
          </text>
          {[s.min, s.max].map((b, k) =>
            b === null ? null : (
              <g key={k} data-threshold={k === 0 ? 'min' : 'max'}>
                <line x1={PAD.left} x2={W - PAD.right} y1={y(b)} y2={y(b)} className="threshold" />
                <text x={W - PAD.right} y={y(b) - 3} textAnchor="end" className="tick-label">
                  {k === 0 ? 'min' : 'max'} {fmt(b)}
                </text>
              </g>
            ),
          )}
          {n > 1 && (
            <polyline
              className="history-line"
              points={s.points.map((p, i) => `${x(i)},${y(p.value)}`).join(' ')}
              fill="none"
            />
          )}
        </g>
        {s.points.map((p, i) => {
          const label = `Run ${p.run.id} (${p.run.contractVersion}, queued ${dateTime(p.run.queuedAt)}): ${s.metric} ${fmt(p.value)}, ${p.success ? 'held' : 'did not hold'}`;
          const href = `/runs/${p.run.id}`;
          const cx = x(i);
          const cy = y(p.value);
          return (
            <a
              key={p.run.id}
              href={href}
              aria-label={label}
              data-point={p.run.id}
              data-success={p.success}
              onClick={(e) => {
                if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                e.preventDefault();
                navigate(href);
              }}
            >
              <title>{label}</title>
              {p.run.id === currentId && <circle cx={cx} cy={cy} r={7} className="current-ring" />}
              {p.success ? (
                <circle cx={cx} cy={cy} r={3.5} className="point held" />
              ) : (
                <path
                  d={`M${cx - 4},${cy - 4}L${cx + 4},${cy + 4}M${cx - 4},${cy + 4}L${cx + 4},${cy - 4}`}
                  className="point failed"
                />
              )}
            </a>
          );
        })}
      </svg>
    </figure>
  );
}
