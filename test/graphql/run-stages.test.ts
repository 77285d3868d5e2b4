/** Run.stages over real runs: where a run's time went, for a succeeded and a failed run. */
import { afterEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { startServer, type TestServer } from '../support/graphql';

const contract = (maxMean: number) => `
name: temps
version: 1.0.0
owner: tests
entity: { name: city, key: [city] }
eventTime: at
source: { type: csv, path: "temps/*.csv" }
schema:
  - { name: at, type: date, required: true }
  - { name: city, type: string, required: true }
  - { name: t, type: number, minimum: -50 }
expectations:
  - { expect: mean_between, column: t, min: -50, max: ${maxMean}, severity: fail }
features:
  - { name: t, column: t }
  - { name: t_2, window: { op: mean, column: t, rows: 2 } }
`;

interface Stage {
  name: string;
  ms: number;
  rows: number | null;
}
interface RunAnswer {
  run: {
    status: string;
    rowsRead: number;
    rowsWritten: number;
    rowsRejected: number;
    stages: Stage[] | null;
  };
}
const QUERY = (id: string) =>
  `{ run(id: "${id}") { status rowsRead rowsWritten rowsRejected stages { name ms rows } } }`;

describe(`Run.stages (${testEngine()})`, () => {
  let rt: TestRuntime;
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
    await rt?.dispose();
  });

  it('lists every stage of a succeeded run in order, with the rows each handled', async () => {
    rt = await createTestRuntime({ contracts: [contract(100)] });
    await rt.land('temps/day-1.csv', 'at,city,t\n2024-01-01,a,1\n2024-01-01,b,3\n2024-01-01,c,-99\n');
    const run = await rt.runs.trigger({ contract: 'temps', environment: 'dev', actor: 'test' });
    server = await startServer(rt);
    const { run: r } = await server.ok<RunAnswer>(QUERY(run.id));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.stages!.map((s) => s.name)).toEqual([
      'read',
      'history',
      'validate',
      'transform and write features',
      'profiles',
      'rejects',
      'lineage',
      'view checks',
    ]);
    const rows = Object.fromEntries(r.stages!.map((s) => [s.name, s.rows]));
    expect(rows).toMatchObject({
      read: r.rowsRead,
      // The schema's constraints are validated too: all three rows, one rejected there.
      validate: 3,
      'transform and write features': r.rowsWritten,
      rejects: r.rowsRejected,
    });
    expect([r.rowsRead, r.rowsWritten, r.rowsRejected]).toEqual([3, 2, 1]);
    for (const s of r.stages!) expect(s.ms).toBeGreaterThanOrEqual(0);
  });

  it('lists the stages a run reached before failing validation, and nothing of the commit', async () => {
    rt = await createTestRuntime({ contracts: [contract(2)] });
    await rt.land('temps/day-1.csv', 'at,city,t\n2024-01-01,a,10\n2024-01-01,b,30\n');
    const run = await rt.runs.trigger({ contract: 'temps', environment: 'dev', actor: 'test' });
    server = await startServer(rt);
    const { run: r } = await server.ok<RunAnswer>(QUERY(run.id));
    expect(r.status).toBe('FAILED');
    expect(r.stages!.map((s) => [s.name, s.rows])).toEqual([
      ['read', 2],
      ['history', null],
      ['validate', 2],
    ]);
  });

  it('says null for a run that has not ended', async () => {
    rt = await createTestRuntime({ contracts: [contract(100)] });
    const registered = await rt.registry.resolve('temps', undefined, 'dev');
    const queued = await rt.executor.enqueue({
      contract: registered,
      environment: 'dev',
      trigger: 'manual',
      rawBatches: [],
      actor: 'test',
    });
    server = await startServer(rt);
    const { run: r } = await server.ok<RunAnswer>(QUERY(queued.id));
    expect(r.status).toBe('QUEUED');
    expect(r.stages).toBeNull();
  });
});
