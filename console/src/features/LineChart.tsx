/**
 * One feature's value over event time, one line per entity, in plain SVG. Each series
 * differs by dash pattern and point shape as well as colour, and each point carries its
 * value, time and run in a tooltip and in data attributes.
 */
export interface SeriesPoint {
  t: number;
  v: number;
  runId: string | null;
}
export interface Series {
  name: string;
  points: SeriesPoint[];
}

const W = 640;
const H = 220;
const PAD = { left: 58, right: 16, top: 12, bottom: 36 };
export const SERIES_STYLE = [
  { colour: '#0a6e8a', dash: '', shape: 'circle' },
  { colour: '#b35900', dash: '6 3', shape: 'square' },
  { colour: '#6a3fb5', dash: '2 3', shape: 'triangle' },
  { colour: '#1a7f37', dash: '10 3 2 3', shape: 'diamond' },
] as const;

const num = new Intl.NumberFormat('en', { maximumSignificantDigits: 6 });

function ticks(lo: number, hi: number, n: number): number[] {
  if (lo === hi) return [lo];
  return Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
}

function Marker({ shape, x, y }: { shape: string; x: number; y: number }) {
  const r = 4;
  if (shape === 'square') return <rect x={x - r} y={y - r} width={2 * r} height={2 * r} />;
  if (shape === 'triangle')
    return <path d={`M${x},${y - r - 1} L${x + r + 1},${y + r} L${x - r - 1},${y + r} Z`} />;
  if (shape === 'diamond')
    return <path d={`M${x},${y - r - 1} L${x + r + 1},${y} L${x},${y + r + 1} L${x - r - 1},${y} Z`} />;
  return <circle cx={x} cy={y} r={r} />;
}

export function LineChart({ feature, series }: { feature: string; series: Series[] }) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return <p className="muted">No values of {feature} as known then.</p>;
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t));
  let v0 = Math.min(...all.map((p) => p.v));
  let v1 = Math.max(...all.map((p) => p.v));
  if (v0 === v1) {
    v0 -= 1;
    v1 += 1;
  }
  const x = (t: number) =>
    PAD.left +
    (t1 === t0 ? (W - PAD.left - PAD.right) / 2 : ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + (1 - (v - v0) / (v1 - v0)) * (H - PAD.top - PAD.bottom);
  const day = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width={W}
        height={H}
        role="img"
        aria-label={`${feature} over event time`}
      >
        {ticks(v0, v1, 4).map((v) => (
          <g key={`y${v}`} className="chart-grid">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
              {num.format(v)}
            </text>
          </g>
        ))}
        {ticks(t0, t1, t1 === t0 ? 0 : 3).map((t, i, a) => (
          <text
            key={`x${t}`}
            className="chart-axis"
            x={x(t)}
            y={H - 12}
            textAnchor={a.length === 1 ? 'middle' : i === 0 ? 'start' : i === a.length - 1 ? 'end' : 'middle'}
          >
            {day(t)}
          </text>
        ))}
        {series.map((s, i) => {
          const style = SERIES_STYLE[i % SERIES_STYLE.length]!;
          return (
            <g key={s.name} data-series={s.name} style={{ color: style.colour }}>
              <polyline
                points={s.points.map((p) => `${x(p.t)},${y(p.v)}`).join(' ')}
                fill="none"
                stroke="currentColor"
                strokeWidth={2}
                strokeDasharray={style.dash}
              />
              {s.points.map((p) => (
                <g
                  key={p.t}
                  className="chart-point"
                  fill="currentColor"
                  data-event-time={new Date(p.t).toISOString()}
                  data-value={p.v}
                >
                  <title>{`${s.name} at ${day(p.t)}: ${num.format(p.v)}${p.runId ? ` (run ${p.runId})` : ''}`}</title>
                  <Marker shape={style.shape} x={x(p.t)} y={y(p.v)} />
                </g>
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-legend">
        {series.map((s, i) => {
          const style = SERIES_STYLE[i % SERIES_STYLE.length]!;
          return (
            <span key={s.name} style={{ color: style.colour }}>
              <svg width="34" height="12" aria-hidden="true">
                <line
                  x1="1"
                  x2="33"
                  y1="6"
                  y2="6"
                  stroke="currentColor"
                  strokeWidth="2"
                  strokeDasharray={style.dash}
                />
                <g fill="currentColor">
                  <Marker shape={style.shape} x={17} y={6} />
                </g>
              </svg>{' '}
              <span className="chart-legend-name">{s.name}</span> ({style.shape})
            </span>
          );
        })}
      </figcaption>
    </figure>
  );
}
