/**
 * Rows written and rows rejected by the last runs, oldest to newest, as two rows of
 * small bars (one scale, so a burst of rejects stands out against the rows written).
 * The numbers are in the label for screen readers and in each bar's tooltip.
 */
import { count } from '../format';

interface Counts {
  id: string;
  rowsWritten: number;
  rowsRejected: number;
}

const BAR = 6;
const GAP = 2;
const HEIGHT = 16;

export function RowsChart({ runs, subject }: { runs: Counts[]; subject: string }) {
  const oldestFirst = [...runs].reverse();
  const top = Math.max(1, ...oldestFirst.flatMap((r) => [r.rowsWritten, r.rowsRejected]));
  const h = (n: number) => (n > 0 ? Math.max(1, Math.round((n / top) * HEIGHT)) : 0);
  const width = oldestFirst.length * (BAR + GAP);
  const label =
    `Rows of the last ${runs.length} runs of ${subject}, oldest first: written ` +
    oldestFirst.map((r) => count(r.rowsWritten)).join(', ') +
    '; rejected ' +
    oldestFirst.map((r) => count(r.rowsRejected)).join(', ') +
    '.';
  return (
    <svg
      className="rows-chart"
      role="img"
      aria-label={label}
      width={width}
      height={HEIGHT * 2 + 4}
      viewBox={`0 0 ${width} ${HEIGHT * 2 + 4}`}
    >
      {oldestFirst.map((r, i) => (
        <g key={r.id} data-run={r.id}>
          <rect
            className="bar-written"
            x={i * (BAR + GAP)}
            y={HEIGHT - h(r.rowsWritten)}
            width={BAR}
            height={h(r.rowsWritten)}
          >
            <title>{`${r.id}: ${count(r.rowsWritten)} rows written`}</title>
          </rect>
          <rect
            className="bar-rejected"
            x={i * (BAR + GAP)}
            y={HEIGHT + 4}
            width={BAR}
            height={h(r.rowsRejected)}
          >
            <title>{`${r.id}: ${count(r.rowsRejected)} rows rejected`}</title>
          </rect>
        </g>
      ))}
    </svg>
  );
}
