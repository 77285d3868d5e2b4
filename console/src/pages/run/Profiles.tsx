/**
 * What the run stored, column by column and feature by feature: counts, nulls, distinct
 * values, range, mean and median, and the shape as a small histogram (numbers) or the
 * most frequent values (text). Every figure is written out; the histogram's bars repeat
 * numbers its title lists, so nothing is told by the picture alone.
 */
import type { ColumnProfile } from '../../api/types';
import { count, dateTime, percent } from '../../format';

/** Dates and timestamps are profiled as epoch milliseconds: shown as times again. */
function value(v: number | null, type: string | undefined): string {
  if (v === null) return '—';
  if (type === 'timestamp') return dateTime(new Date(v).toISOString());
  if (type === 'date') return new Date(v).toISOString().slice(0, 10);
  return num(v);
}

function num(v: number | null): string {
  if (v === null) return '—';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return count(v);
  return Math.abs(v) >= 1000 ? count(Math.round(v)) : v.toPrecision(4);
}

function Histogram({ bins, fmt }: { bins: ColumnProfile['histogram']; fmt: (v: number) => string }) {
  const top = Math.max(1, ...bins.map((b) => b.count));
  const w = 4;
  const text = bins.map((b) => `${fmt(b.lo)}–${fmt(b.hi)}: ${count(b.count)}`).join('; ');
  return (
    <svg
      width={bins.length * w}
      height={20}
      role="img"
      aria-label={`histogram: ${text}`}
      className="histogram"
    >
      <title>{text}</title>
      {bins.map((b, i) => {
        const h = Math.max(b.count > 0 ? 1 : 0, Math.round((b.count / top) * 20));
        return <rect key={i} x={i * w} y={20 - h} width={w - 1} height={h} />;
      })}
    </svg>
  );
}

function Shape({ p, type }: { p: ColumnProfile; type: string | undefined }) {
  if (p.histogram.length > 0) return <Histogram bins={p.histogram} fmt={(v) => value(v, type)} />;
  if (p.topValues.length === 0) return <span className="muted">—</span>;
  return (
    <span className="small">
      {p.topValues
        .slice(0, 3)
        .map((t) => `${t.value} (${count(t.count)})`)
        .join(', ')}
      {p.topValues.length > 3 ? ', …' : ''}
    </span>
  );
}

export function Profiles({
  profiles,
  status,
  types,
}: {
  profiles: ColumnProfile[];
  status: string;
  /** `kind:name` → declared type (timestamps and dates are shown as such). */
  types: Map<string, string>;
}) {
  return (
    <section aria-labelledby="profiles-heading">
      <h2 id="profiles-heading">Profiles ({profiles.length})</h2>
      {profiles.length === 0 ? (
        <p className="muted">
          {status === 'SUCCEEDED' || status === 'SUPERSEDED' || status === 'ROLLED_BACK'
            ? 'None stored for this run (it ran before profiles were kept).'
            : 'Only a run that commits stores profiles.'}
        </p>
      ) : (
        <table className="grid profiles">
          <caption className="muted small">
            Over the rows the run stored. Distinct counts are HyperLogLog estimates (about 1.6 %); the median
            is a KLL estimate (rank error under 2 %).
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col" className="num">
                Nulls
              </th>
              <th scope="col" className="num">
                Distinct
              </th>
              <th scope="col" className="num">
                Min
              </th>
              <th scope="col" className="num">
                Median
              </th>
              <th scope="col" className="num">
                Mean
              </th>
              <th scope="col" className="num">
                Max
              </th>
              <th scope="col">Shape</th>
            </tr>
          </thead>
          <tbody>
            {profiles.map((p) => (
              <tr key={`${p.kind}:${p.name}`} data-profile={`${p.kind}:${p.name}`}>
                <th scope="row" className="mono">
                  {p.name}
                </th>
                <td>{p.kind}</td>
                <td className="num">{count(p.count)}</td>
                <td className="num">
                  {count(p.nulls)}{' '}
                  <span className="muted small">({percent(p.count ? (p.nulls / p.count) * 100 : 0)})</span>
                </td>
                <td className="num">{count(p.distinct)}</td>
                <td className="num">{value(p.min, types.get(`${p.kind}:${p.name}`))}</td>
                <td className="num">
                  {value(
                    p.quantiles.find((q) => q.name === 'p50')?.value ?? null,
                    types.get(`${p.kind}:${p.name}`),
                  )}
                </td>
                <td className="num">{value(p.mean, types.get(`${p.kind}:${p.name}`))}</td>
                <td className="num">{value(p.max, types.get(`${p.kind}:${p.name}`))}</td>
                <td>
                  <Shape p={p} type={types.get(`${p.kind}:${p.name}`)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
