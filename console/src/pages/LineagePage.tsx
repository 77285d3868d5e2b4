/**
 * Lineage: raw batches → runs → feature views, with the contract version each run
 * applied, for a contract (its recent runs), one run, or one entity of a contract.
 * The subject is in the address (/lineage?contract=…, ?run=…, &entity=…), so a graph
 * can be linked to; the graph is drawn by LineageGraph, with a table of its edges for
 * those who would rather read than look.
 */
import { useState, type FormEvent } from 'react';
import { CONTRACT_NAMES } from '../api/queries';
import { LINEAGE, type LineageGraph as Graph } from '../api/lineage';
import { useQuery } from '../components/useQuery';
import { ErrorMessage, Loading } from '../components/Feedback';
import { Link, navigate, usePageTitle } from '../router';
import { LineageGraph } from '../lineage/LineageGraph';
import { KIND_WORD, RELATION_WORD, hrefOf, runStatus } from '../lineage/nodes';
import { statusIcon, statusWord } from '../components/Status';
import { RUN_STATUSES } from '../api/types';

/** An entity typed in the form: JSON ({"a":1}, "x", 42) when it parses, else the text itself. */
function parseEntity(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function LineagePage({ search }: { search: URLSearchParams }) {
  const contract = search.get('contract');
  const run = search.get('run');
  const entity = search.get('entity');
  const environment = search.get('environment');
  const subject = run
    ? `run ${run}`
    : contract
      ? `${contract}${entity ? `, entity ${entity}` : ''}${environment ? ` in ${environment}` : ''}`
      : null;
  usePageTitle(subject ? `Lineage of ${subject}` : 'Lineage');

  const names = useQuery<{ contracts: Array<{ name: string; environments: string[] }> }>(CONTRACT_NAMES, {});
  const q = useQuery<{ lineage: Graph }>(subject ? LINEAGE : null, {
    contract: run ? null : contract,
    run,
    entity: entity && !run ? parseEntity(entity) : null,
    environment: environment && !run ? environment : null,
  });
  const contracts = [...new Set((names.data?.contracts ?? []).map((c) => c.name))].sort();
  const graph = q.data?.lineage;

  return (
    <>
      <h1>Lineage{subject ? ` of ${subject}` : ''}</h1>
      <p className="muted">
        Raw batches are read by runs; each run applies a contract version and writes a feature view. Select a
        node to open its page.
      </p>
      <SubjectForm
        key={`${contract ?? ''}|${entity ?? ''}|${environment ?? ''}`}
        contracts={contracts}
        contract={run ? null : contract}
        entity={entity}
        environment={environment}
        environments={(names.data?.contracts ?? []).find((c) => c.name === contract)?.environments ?? ['dev']}
      />
      {run && (
        <p>
          The run's own page: <Link href={`/runs/${encodeURIComponent(run)}`}>{run}</Link>.
        </p>
      )}
      {!subject && <p>Choose a contract to see the lineage of its recent runs.</p>}
      {q.error && <ErrorMessage error={q.error} />}
      {subject && !graph && !q.error && <Loading what="the lineage" />}
      {graph && <Drawing graph={graph} subject={subject!} />}
    </>
  );
}

function Drawing({ graph, subject }: { graph: Graph; subject: string }) {
  const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
  const byKind = (k: string) => graph.nodes.filter((x) => x.kind === k).length;
  const summary =
    `${n(graph.nodes.length, 'node')}, ${n(graph.edges.length, 'edge')}: ` +
    `${n(byKind('raw_batch'), 'raw batch', 'raw batches')}, ${n(byKind('run'), 'run')}, ` +
    `${n(byKind('feature_view'), 'feature view')}, ${n(byKind('contract_version'), 'contract version')}.`;
  if (graph.nodes.length === 0)
    return (
      <p id="lineage-summary" role="status">
        Nothing yet: no run of {subject} has written lineage.
      </p>
    );
  const label = (id: string) => graph.nodes.find((n) => n.id === id);
  return (
    <>
      <p id="lineage-summary" role="status">
        {summary}
      </p>
      <Legend />
      <LineageGraph graph={graph} label={`Lineage graph of ${subject}. ${summary}`} />
      <details className="lineage-table">
        <summary>The same graph as a table of edges</summary>
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">Relation</th>
              <th scope="col">To</th>
            </tr>
          </thead>
          <tbody>
            {graph.edges.map((e, i) => (
              <tr key={i}>
                <td>
                  <NodeRef id={e.from} graph={graph} known={!!label(e.from)} />
                </td>
                <td>{RELATION_WORD[e.relation] ?? e.relation}</td>
                <td>
                  <NodeRef id={e.to} graph={graph} known={!!label(e.to)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <details className="lineage-table" id="openlineage-names">
        <summary>Each node's OpenLineage name</summary>
        <p className="muted small">
          As the run events Tidemark emits name them, so this graph can be matched with the one an OpenLineage
          consumer (Marquez, for one) draws.
        </p>
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">OpenLineage</th>
              <th scope="col">Namespace</th>
              <th scope="col">Name</th>
            </tr>
          </thead>
          <tbody>
            {graph.nodes.map((n) => (
              <tr key={n.id} data-node={n.id}>
                <th scope="row">
                  <NodeRef id={n.id} graph={graph} known />
                </th>
                <td>{n.openLineage?.type ?? '—'}</td>
                <td className="mono small">{n.openLineage?.namespace ?? '—'}</td>
                <td className="mono small hash">
                  {n.openLineage?.name ?? '—'}
                  {n.openLineage?.runId && <div>run id {n.openLineage.runId}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}

function NodeRef({ id, graph, known }: { id: string; graph: Graph; known: boolean }) {
  const node = graph.nodes.find((n) => n.id === id);
  if (!known || !node) return <span className="mono">{id}</span>;
  const href = hrefOf(node, graph);
  const status = runStatus(node);
  const text = `${KIND_WORD[node.kind] ?? node.kind} ${id.slice(node.kind.length + 1)}`;
  return (
    <>
      {href ? <Link href={href}>{text}</Link> : text}
      {status && ` (${statusWord(status)})`}
    </>
  );
}

function Legend() {
  return (
    <ul className="lineage-legend" aria-label="Run status colours">
      {RUN_STATUSES.map((s) => (
        <li key={s} className={`status status-${s.toLowerCase()}`}>
          <span aria-hidden="true">{statusIcon(s)}</span> {statusWord(s)}
        </li>
      ))}
    </ul>
  );
}

function SubjectForm(props: {
  contracts: string[];
  contract: string | null;
  entity: string | null;
  environment: string | null;
  environments: string[];
}) {
  const [contract, setContract] = useState(props.contract ?? '');
  const [entity, setEntity] = useState(props.entity ?? '');
  const [environment, setEnvironment] = useState(props.environment ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!contract) return;
    const p = new URLSearchParams({ contract });
    if (entity.trim()) p.set('entity', entity.trim());
    if (environment) p.set('environment', environment);
    navigate(`/lineage?${p}`);
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Whose lineage">
      <label>
        Contract
        <select value={contract} onChange={(e) => setContract(e.target.value)}>
          <option value="">choose…</option>
          {props.contracts.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <label>
        Entity (optional)
        <input
          value={entity}
          onChange={(e) => setEntity(e.target.value)}
          placeholder='e.g. card00393003 or {"a":1}'
          spellCheck={false}
        />
      </label>
      <label>
        Environment of the entity
        <select value={environment} onChange={(e) => setEnvironment(e.target.value)}>
          <option value="">default</option>
          {props.environments.map((e) => (
            <option key={e}>{e}</option>
          ))}
        </select>
      </label>
      <div className="filters-submit">
        <button type="submit" disabled={!contract}>
          Show lineage
        </button>
      </div>
    </form>
  );
}
