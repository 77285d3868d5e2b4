/**
 * A run status as a mark: an icon and a word, with colour as a third signal only, so
 * the status reads the same without colour (and to a screen reader).
 */
import type { RunStatus } from '../api/types';

const ICON: Record<RunStatus, string> = {
  SUCCEEDED: '✓',
  FAILED: '✗',
  RUNNING: '▶',
  QUEUED: '…',
  ROLLED_BACK: '↶',
  SUPERSEDED: '⇢',
};

const WORD: Record<RunStatus, string> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  RUNNING: 'running',
  QUEUED: 'queued',
  ROLLED_BACK: 'rolled back',
  SUPERSEDED: 'superseded',
};

export function statusWord(s: RunStatus): string {
  return WORD[s] ?? s.toLowerCase();
}

/** Icon and word, e.g. "✗ failed". */
export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`status status-${status.toLowerCase()}`} data-status={status}>
      <span aria-hidden="true">{ICON[status] ?? '?'}</span> {statusWord(status)}
    </span>
  );
}

/** The icon alone, for a row of marks; the word is its accessible name and tooltip. */
export function StatusMark({ status, label }: { status: RunStatus; label: string }) {
  return (
    <span className={`mark status-${status.toLowerCase()}`} data-status={status} title={label}>
      <span aria-hidden="true">{ICON[status] ?? '?'}</span>
      <span className="visually-hidden">{label}</span>
    </span>
  );
}

/** The icon alone, for places that draw their own text (the lineage graph's SVG). */
export function statusIcon(s: RunStatus): string {
  return ICON[s] ?? '?';
}
