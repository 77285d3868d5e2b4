/**
 * The runs of the page on a time axis, one lane per contract and environment, one bar
 * per run from its start to its end (queued time while it waits; now while it runs):
 * a Gantt view of what ran when, and what overlapped. Each bar is a link to the run,
 * coloured by status and carrying the status as an icon and in its name and tooltip,
 * so colour is never the only signal. Hand-drawn SVG rather than a chart library: every
 * bar must be a focusable link with its own accessible name.
 */
import { useMemo } from 'react';
import type { RunStatus, RunSummary } from '../../api/types';
import { statusWord } from '../../components/Status';
import { navigate } from '../../router';
import { dateTime, duration } from '../../format';

const ICON: Record<RunStatus, string> = {
  SUCCEEDED: '✓',
  FAILED: '✗',
  RUNNING: '▶',
  QUEUED: '…',
  ROLLED_BACK: '↶',
  SUPERSEDED: '⇢',
};

const LABEL_W = 220;
const PLOT_W = 900;
/** Room right of the plot for the last tick's label and a narrow bar's icon. */
const RIGHT = 40;
const LANE_H = 30;
const BAR_H = 18;
const AXIS_H = 24;
const MIN_BAR = 6;

interface Bar {
  run: RunSummary;
  start: number;
  end: number;
}

function barOf(run: RunSummary, now: number): Bar {
  const start = Date.parse(run.startedAt ?? run.queuedAt);
  const end = run.finishedAt ? Date.parse(run.finishedAt) : run.status === 'RUNNING' ? now : start;
  return { run, start, end: Math.max(end, start) };
}

function ticks(min: number, max: number, n = 5): number[] {
  if (max <= min) return [min];
  return Array.from({ length: n + 1 }, (_, i) => min + ((max - min) * i) / n);
}

function tickLabel(ms: number, span: number): string {
  const iso = new Date(ms).toISOString();
  if (span > 2 * 86_400_000) return iso.slice(5, 10);
  if (span > 120_000) return iso.slice(11, 16);
  return span > 10_000 ? iso.slice(11, 19) : iso.slice(11, 21);
}

export function RunTimeline({ runs }: { runs: RunSummary[] }) {
  const { lanes, min, max } = useMemo(() => {
    const now = Date.now();
    const bars = runs.map((r) => barOf(r, now));
    const byLane = new Map<string, Bar[]>();
    for (const b of bars) {
      const key = `${b.run.contract} · ${b.run.environment}`;
      byLane.set(key, [...(byLane.get(key) ?? []), b]);
    }
    const lo = Math.min(...bars.map((b) => b.start));
    const hi = Math.max(...bars.map((b) => b.end));
    return {
      lanes: [...byLane.entries()].sort(([a], [b]) => a.localeCompare(b)),
      min: lo,
      // A page whose runs all took no time at all still gets an axis a second wide.
      max: hi > lo ? hi : lo + 1000,
    };
  }, [runs]);

  if (runs.length === 0) return <p className="muted">No runs to show on the timeline.</p>;
  const span = max - min;
  const x = (t: number) => LABEL_W + ((t - min) / span) * PLOT_W;
  const height = AXIS_H + lanes.length * LANE_H + 8;
  return (
    <figure className="timeline" data-timeline>
      <figcaption id="timeline-caption">
        Timeline of the {runs.length} run{runs.length > 1 ? 's' : ''} on this page, from{' '}
        {dateTime(new Date(min).toISOString())} to {dateTime(new Date(max).toISOString())}: one lane per
        contract and environment, one bar per run from start to end. Each bar links to its run.
      </figcaption>
      <ul className="legend" aria-label="Status legend">
        {(Object.keys(ICON) as RunStatus[]).map((s) => (
          <li key={s} className={`status-${s.toLowerCase()}`}>
            <span className="swatch" aria-hidden="true">
              {ICON[s]}
            </span>{' '}
            {statusWord(s)}
          </li>
        ))}
      </ul>
      <svg
        viewBox={`0 0 ${LABEL_W + PLOT_W + RIGHT} ${height}`}
        width="100%"
        role="group"
        aria-labelledby="timeline-caption"
        className="timeline-svg"
      >
        {ticks(min, max).map((t, i) => (
          <g key={i} aria-hidden="true">
            <line x1={x(t)} x2={x(t)} y1={AXIS_H - 4} y2={height} className="tick" />
            <text x={x(t)} y={AXIS_H - 8} className="tick-label" textAnchor="middle">
              {tickLabel(t, span)}
            </text>
          </g>
        ))}
        {lanes.map(([lane, bars], i) => {
          const y = AXIS_H + i * LANE_H;
          return (
            <g key={lane} data-lane={lane}>
              <text x={LABEL_W - 8} y={y + LANE_H / 2 + 4} textAnchor="end" className="lane-label">
                {lane}
              </text>
              <line
                x1={LABEL_W}
                x2={LABEL_W + PLOT_W}
                y1={y + LANE_H}
                y2={y + LANE_H}
                className="lane-line"
              />
              {bars.map((b) => {
                const left = x(b.start);
                const w = Math.max(MIN_BAR, x(b.end) - left);
                const took = b.run.finishedAt ? `, took ${duration((b.end - b.start) / 1000)}` : '';
                const label = `Run ${b.run.id} of ${b.run.contract}@${b.run.contractVersion} in ${b.run.environment}: ${statusWord(b.run.status)}, started ${dateTime(new Date(b.start).toISOString())}${took}`;
                const href = `/runs/${b.run.id}`;
                return (
                  <a
                    key={b.run.id}
                    href={href}
                    aria-label={label}
                    data-bar={b.run.id}
                    data-status={b.run.status}
                    onClick={(e) => {
                      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
                      e.preventDefault();
                      navigate(href);
                    }}
                  >
                    <title>{label}</title>
                    <rect
                      x={left}
                      y={y + (LANE_H - BAR_H) / 2}
                      width={w}
                      height={BAR_H}
                      rx={3}
                      className={`bar status-${b.run.status.toLowerCase()}`}
                    />
                    {/* The icon inside a wide bar, beside a narrow one: the status shows without colour. */}
                    <text
                      x={w >= 14 ? left + w / 2 : left + w + 2}
                      y={y + LANE_H / 2 + 4}
                      textAnchor={w >= 14 ? 'middle' : 'start'}
                      className={w >= 14 ? 'bar-icon' : 'bar-icon beside'}
                      aria-hidden="true"
                    >
                      {ICON[b.run.status]}
                    </text>
                  </a>
                );
              })}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
