/**
 * lineage(run), lineage(contract) and lineage(contract, entity) over HTTP: a graph
 * of raw_batch → run → feature_view, with contract_version → run, carrying the
 * contract and code versions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lineageRunId } from '../../src/events/openlineage/run-id';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { expectError, startServer, type TestServer } from '../support/graphql';

const ITEMS = `
name: items
version: 1.0.0
owner: tests
entity: { name: item, key: [item] }
eventTime: ts
source: { type: push }
schema:
  - { name: ts, type: timestamp, required: true }
  - { name: item, type: string, required: true }
  - { name: price, type: number }
expectations: []
features:
  - { name: price, column: price }
`;

const LINEAGE = `query($contract: String, $run: ID, $entity: JSON) {
  lineage(contract: $contract, run: $run, entity: $entity) {
    nodes { id kind label attributes }
    edges { from to relation attributes }
  }
}`;

interface Graph {
  nodes: Array<{ id: string; kind: string; label: string; attributes: Record<string, unknown> | null }>;
  edges: Array<{ from: string; to: string; relation: string; attributes: Record<string, unknown> | null }>;
}

const edgeSet = (g: Graph) => g.edges.map((e) => `${e.from} -${e.relation}-> ${e.to}`).sort();
const nodeIds = (g: Graph) => g.nodes.map((n) => n.id).sort();

describe(`lineage (${testEngine()})`, () => {
  let rt: TestRuntime;
  let s: TestServer;
  let run1: { id: string; raw: string };
  let run2: { id: string; raw: string };

  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [ITEMS] });
    s = await startServer(rt);
    const ingest = async (records: unknown[]) => {
      const r = (
        await s.ok(
          `mutation($r: [JSON!]!) { ingest(contract: "items", records: $r) { id rawBatches { id } } }`,
          { r: records },
        )
      ).ingest;
      return { id: r.id as string, raw: r.rawBatches[0].id as string };
    };
    run1 = await ingest([
      { ts: '2024-05-01T00:00:00Z', item: 'apple', price: 1 },
      { ts: '2024-05-01T00:00:00Z', item: 'pear', price: 2 },
    ]);
    run2 = await ingest([{ ts: '2024-05-02T00:00:00Z', item: 'apple', price: 1.5 }]);
  });
  afterEach(async () => {
    await s.close();
    await rt.dispose();
  });

  const lineage = async (vars: Record<string, unknown>) => (await s.ok(LINEAGE, vars)).lineage as Graph;

  it('answers a run as raw batch → run → feature view, with its contract version', async () => {
    const g = await lineage({ run: run1.id });
    expect(edgeSet(g)).toEqual([
      `contract_version:items@1.0.0 -applied_in-> run:${run1.id}`,
      `raw_batch:${run1.raw} -read_by-> run:${run1.id}`,
      `run:${run1.id} -wrote-> feature_view:dev/items/v1`,
    ]);
    expect(nodeIds(g)).toEqual(
      [
        `contract_version:items@1.0.0`,
        'feature_view:dev/items/v1',
        `raw_batch:${run1.raw}`,
        `run:${run1.id}`,
      ].sort(),
    );
    const kinds = Object.fromEntries(g.nodes.map((n) => [n.id, n.kind]));
    expect(kinds[`raw_batch:${run1.raw}`]).toBe('raw_batch');
    expect(kinds['feature_view:dev/items/v1']).toBe('feature_view');
    const run = g.nodes.find((n) => n.kind === 'run')!;
    expect(run.attributes).toMatchObject({
      status: 'succeeded',
      trigger: 'push',
      environment: 'dev',
      codeVersion: 'test',
      contractVersion: '1.0.0',
    });
    const raw = g.nodes.find((n) => n.kind === 'raw_batch')!;
    expect(raw.attributes).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), rows: 2 });
    const wrote = g.edges.find((e) => e.relation === 'wrote')!;
    expect(wrote.attributes).toMatchObject({
      contractVersion: '1.0.0',
      codeVersion: 'test',
      rowsWritten: 2,
      rowsRejected: 0,
    });
  });

  it('names each node as the OpenLineage events name it', async () => {
    const q = `query($run: ID) { lineage(run: $run) { nodes { id kind attributes openLineage { type namespace name runId } } } }`;
    const g = (await s.ok(q, { run: run1.id })).lineage as {
      nodes: Array<{
        kind: string;
        attributes: Record<string, unknown>;
        openLineage: Record<string, unknown>;
      }>;
    };
    const of = (kind: string) => g.nodes.find((n) => n.kind === kind)!;
    expect(of('raw_batch').openLineage).toEqual({
      type: 'dataset',
      namespace: 'tidemark-raw',
      name: of('raw_batch').attributes.sha256,
      runId: null,
    });
    expect(of('feature_view').openLineage).toEqual({
      type: 'dataset',
      namespace: 'tidemark',
      name: 'dev/items/v1',
      runId: null,
    });
    expect(of('contract_version').openLineage).toEqual({
      type: 'job',
      namespace: 'tidemark',
      name: 'items',
      runId: null,
    });
    // The run id the emitter sends (events/openlineage/run-id.ts), not a second scheme.
    expect(of('run').openLineage).toEqual({
      type: 'run',
      namespace: 'tidemark',
      name: 'items',
      runId: lineageRunId(run1.id),
    });
    expect(of('run').openLineage.runId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('answers a contract with every run, sharing the feature view and the contract version', async () => {
    const g = await lineage({ contract: 'items' });
    expect(edgeSet(g)).toEqual(
      [
        `contract_version:items@1.0.0 -applied_in-> run:${run1.id}`,
        `contract_version:items@1.0.0 -applied_in-> run:${run2.id}`,
        `raw_batch:${run1.raw} -read_by-> run:${run1.id}`,
        `raw_batch:${run2.raw} -read_by-> run:${run2.id}`,
        `run:${run1.id} -wrote-> feature_view:dev/items/v1`,
        `run:${run2.id} -wrote-> feature_view:dev/items/v1`,
      ].sort(),
    );
    // Shared nodes appear once.
    expect(nodeIds(g)).toHaveLength(new Set(nodeIds(g)).size);
    expect(g.nodes.filter((n) => n.kind === 'run')).toHaveLength(2);
  });

  it('shows a reprocess reading the same raw batch as its parent', async () => {
    const re = (await s.ok(`mutation($id: ID!) { reprocessRun(id: $id) { id } }`, { id: run1.id }))
      .reprocessRun.id;
    const g = await lineage({ contract: 'items' });
    expect(edgeSet(g)).toContain(`raw_batch:${run1.raw} -read_by-> run:${re}`);
    expect(edgeSet(g)).toContain(`raw_batch:${run1.raw} -read_by-> run:${run1.id}`);
    expect(g.nodes.filter((n) => n.id === `raw_batch:${run1.raw}`)).toHaveLength(1);
    expect(g.nodes.find((n) => n.id === `run:${run1.id}`)!.attributes).toMatchObject({
      status: 'superseded',
    });
  });

  it('shows a run that wrote nothing (failed) with the raw batch it read and the version it applied', async () => {
    await rt.apply(
      ITEMS.replace('name: items', 'name: gauges').replace(
        'expectations: []',
        'expectations:\n  - { expect: mean_between, column: price, min: 0, max: 10, severity: fail }',
      ),
    );
    const failed = (
      await s.ok(
        `mutation($r: [JSON!]!) { ingest(contract: "gauges", records: $r) { id status rawBatches { id } } }`,
        {
          r: [{ ts: '2024-05-03T00:00:00Z', item: 'apple', price: 99 }],
        },
      )
    ).ingest;
    expect(failed.status).toBe('FAILED');
    const g = await lineage({ run: failed.id });
    expect(edgeSet(g)).toEqual([
      `contract_version:gauges@1.0.0 -applied_in-> run:${failed.id}`,
      `raw_batch:${failed.rawBatches[0].id} -read_by-> run:${failed.id}`,
    ]);
    expect(g.nodes.find((n) => n.id === `run:${failed.id}`)!.attributes).toMatchObject({ status: 'failed' });
    expect(g.nodes.find((n) => n.kind === 'raw_batch')!.attributes).toMatchObject({
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // The contract's graph links it the same way.
    expect(edgeSet(await lineage({ contract: 'gauges' }))).toContain(
      `raw_batch:${failed.rawBatches[0].id} -read_by-> run:${failed.id}`,
    );
  });

  it('answers an entity with only the runs that wrote its rows', async () => {
    const pear = await lineage({ contract: 'items', entity: 'pear' });
    expect(pear.nodes.filter((n) => n.kind === 'run').map((n) => n.id)).toEqual([`run:${run1.id}`]);
    expect(edgeSet(pear)).toContain(`raw_batch:${run1.raw} -read_by-> run:${run1.id}`);
    expect(edgeSet(pear).some((e) => e.includes(run2.id))).toBe(false);

    const apple = await lineage({ contract: 'items', entity: { item: 'apple' } });
    expect(
      apple.nodes
        .filter((n) => n.kind === 'run')
        .map((n) => n.id)
        .sort(),
    ).toEqual([`run:${run1.id}`, `run:${run2.id}`].sort());

    expect(await lineage({ contract: 'items', entity: 'plum' })).toEqual({ nodes: [], edges: [] });
  });

  it('refuses a query with neither contract nor run, an unknown run, an unknown contract and a wrong entity', async () => {
    expectError(await s.gql(LINEAGE, {}), 'BAD_USER_INPUT', /lineage needs a contract or a run/);
    expectError(await s.gql(LINEAGE, { run: 'run_nope' }), 'NOT_FOUND', /run 'run_nope' does not exist/);
    expectError(
      await s.gql(LINEAGE, { contract: 'nope', entity: 'x' }),
      'NOT_FOUND',
      /contract 'nope' is not registered/,
    );
    expectError(await s.gql(LINEAGE, { contract: 'items', entity: { sku: 1 } }), 'BAD_USER_INPUT');
  });
});
