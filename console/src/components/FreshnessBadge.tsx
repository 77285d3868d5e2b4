/** Freshness against the SLA: "stale" in red and in words, never by colour alone. */
import type { Freshness } from '../api/types';
import { duration, isoDuration } from '../format';

export function FreshnessBadge({ f }: { f: Freshness | undefined }) {
  if (!f) return <span className="muted">not active</span>;
  const sla = f.sla ? `SLA ${isoDuration(f.sla)}` : 'no SLA';
  const age = f.ageSeconds === null ? 'no rows yet' : `newest row ${duration(f.ageSeconds)} old`;
  if (f.stale) {
    return (
      <span className="fresh fresh-stale" data-freshness="stale">
        <span aria-hidden="true">⚠</span> <strong>Stale</strong>: {age} ({sla})
      </span>
    );
  }
  return (
    <span className="fresh fresh-ok" data-freshness="fresh">
      <span aria-hidden="true">●</span> Fresh: {age} ({sla})
    </span>
  );
}
