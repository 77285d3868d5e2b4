/**
 * Any two versions side by side: the compatibility report (each change with its rule,
 * class and path, and the bump the changes need) from the server's checker
 * (contractDiff), and the two YAML texts with changed lines marked (−/+, not by
 * colour alone).
 */
import { useMemo, useState } from 'react';
import { diffLines } from 'diff';
import { CONTRACT_DIFF } from '../../api/queries';
import { useQuery } from '../../components/useQuery';
import { ErrorMessage, Loading } from '../../components/Feedback';

interface Change {
  rule: string;
  class: 'breaking' | 'additive' | 'cosmetic';
  path: string;
  message: string;
}

interface Diff {
  requiredBump: string;
  actualBump: string;
  bumpOk: boolean;
  verdict: string;
  changes: Change[];
  from: { version: string; yaml: string };
  to: { version: string; yaml: string };
}

const CLASS_ICON: Record<string, string> = { breaking: '✗', additive: '+', cosmetic: '~' };

export function VersionDiff({
  name,
  versions,
  current,
}: {
  name: string;
  versions: string[];
  current: string;
}) {
  // Versions come newest first: by default, the shown version against the one before it.
  const i = versions.indexOf(current);
  const [to, setTo] = useState(current);
  const [from, setFrom] = useState(versions[i + 1] ?? versions[i - 1] ?? current);
  const q = useQuery<{ contractDiff: Diff }>(versions.length > 1 ? CONTRACT_DIFF : null, { name, from, to });

  if (versions.length < 2)
    return (
      <section aria-labelledby="diff-heading">
        <h2 id="diff-heading">Compare versions</h2>
        <p className="muted">Only one version is registered.</p>
      </section>
    );
  const d = q.data?.contractDiff;
  return (
    <section aria-labelledby="diff-heading">
      <h2 id="diff-heading">Compare versions</h2>
      <form className="filters" aria-label="Versions to compare" onSubmit={(e) => e.preventDefault()}>
        <label>
          From version
          <select value={from} onChange={(e) => setFrom(e.target.value)}>
            {versions.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
        <label>
          To version
          <select value={to} onChange={(e) => setTo(e.target.value)}>
            {versions.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </label>
      </form>
      {q.error && <ErrorMessage error={q.error} />}
      {!d || d.from.version !== from || d.to.version !== to ? (
        !q.error && <Loading what="the comparison" />
      ) : (
        <>
          <p id="diff-summary" data-required-bump={d.requiredBump}>
            {d.changes.length === 0
              ? 'No changes'
              : `${d.changes.length} change${d.changes.length > 1 ? 's' : ''}`}{' '}
            from {from} to {to}. Required bump: <strong>{d.requiredBump}</strong>; {to} makes a{' '}
            <strong>{d.actualBump}</strong> bump{' '}
            {d.bumpOk ? (
              <span className="status status-succeeded">
                <span aria-hidden="true">✓</span> enough
              </span>
            ) : (
              <span className="status status-failed">
                <span aria-hidden="true">✗</span> not enough
              </span>
            )}
            . <span className="muted">{d.verdict}</span>
          </p>
          {d.changes.length > 0 && (
            <table className="grid changes" aria-describedby="diff-summary">
              <thead>
                <tr>
                  <th scope="col">Class</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Where</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {d.changes.map((c, k) => (
                  <tr key={k} data-change={c.rule} data-class={c.class}>
                    <td>
                      <span className={`status change-${c.class}`}>
                        <span aria-hidden="true">{CLASS_ICON[c.class] ?? '?'}</span> {c.class}
                      </span>
                    </td>
                    <th scope="row" className="mono">
                      {c.rule}
                    </th>
                    <td className="mono small">{c.path}</td>
                    <td>{c.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <SideBySide from={d.from} to={d.to} />
        </>
      )}
    </section>
  );
}

interface Line {
  n: number;
  text: string;
}
interface Row {
  left: Line | null;
  right: Line | null;
  kind: 'same' | 'changed';
}

/** Lines paired for two columns: removed lines opposite the lines added in their place. */
function pairLines(a: string, b: string): Row[] {
  const rows: Row[] = [];
  let ln = 1;
  let rn = 1;
  let removed: Line[] = [];
  let added: Line[] = [];
  const flush = () => {
    for (let k = 0; k < Math.max(removed.length, added.length); k++)
      rows.push({ left: removed[k] ?? null, right: added[k] ?? null, kind: 'changed' });
    removed = [];
    added = [];
  };
  for (const part of diffLines(a, b)) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    if (part.removed) for (const text of lines) removed.push({ n: ln++, text });
    else if (part.added) for (const text of lines) added.push({ n: rn++, text });
    else {
      flush();
      for (const text of lines)
        rows.push({ left: { n: ln++, text }, right: { n: rn++, text }, kind: 'same' });
    }
  }
  flush();
  return rows;
}

function SideBySide({ from, to }: { from: Diff['from']; to: Diff['to'] }) {
  const rows = useMemo(() => pairLines(from.yaml, to.yaml), [from.yaml, to.yaml]);
  const cell = (line: Line | null, side: 'left' | 'right', kind: Row['kind']) => {
    const mark = kind === 'changed' && line ? (side === 'left' ? '−' : '+') : '';
    const word = mark ? (side === 'left' ? 'removed' : 'added') : '';
    return (
      <>
        <td className="ln">{line?.n ?? ''}</td>
        <td className={`code ${word}`} data-side={side} data-mark={word || undefined}>
          {mark && (
            <>
              <span aria-hidden="true">{mark} </span>
              <span className="visually-hidden">{word}: </span>
            </>
          )}
          {line?.text ?? ''}
        </td>
      </>
    );
  };
  return (
    <div
      className="side-by-side"
      role="region"
      aria-label={`YAML of ${from.version} and ${to.version}`}
      tabIndex={0}
    >
      <table className="yaml-diff">
        <thead>
          <tr>
            <th scope="col" colSpan={2}>
              {from.version}
            </th>
            <th scope="col" colSpan={2}>
              {to.version}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, k) => (
            <tr key={k} className={r.kind}>
              {cell(r.left, 'left', r.kind)}
              {cell(r.right, 'right', r.kind)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
