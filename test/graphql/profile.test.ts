/** Run.profile and profileHistory over real runs. */
import { afterEach, describe, expect, it } from 'vitest';
import { testEngine } from '../support/engine';
import { createTestRuntime, type TestRuntime } from '../support/runtime';
import { startServer, type TestServer } from '../support/graphql';

const CONTRACT = `
name: temps
version: 1.0.0
owner: tests
entity: { name: city, key: [city] }
eventTime: at
source: { type: csv, path: "temps/*.csv" }
schema:
  - { name: at, type: date, required: true }
  - { name: city, type: string, required: true }
  - { name: t, type: number }
expectations:
  - { expect: not_null, column: city, severity: fail }
features:
  - { name: t, column: t }
`;

describe(`GraphQL profiles (${testEngine()})`, () => {
  let rt: TestRuntime;
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
    await rt?.dispose();
  });

  it('serves a run profile and a column history', async () => {
    rt = await createTestRuntime({ contracts: [CONTRACT] });
    const ids: string[] = [];
    for (const day of [1, 2]) {
      await rt.land(
        `temps/day-${day}.csv`,
        `at,city,t\n2024-01-0${day},a,${day}\n2024-01-0${day},b,${day + 2}\n2024-01-0${day},c,\n`,
      );
      ids.push((await rt.runs.trigger({ contract: 'temps', environment: 'dev', actor: 'test' })).id);
    }
    server = await startServer(rt);
    const one = await server.ok<{ run: { profile: Array<Record<string, unknown>> } }>(
      `{ run(id: "${ids[1]}") { profile { name kind count nulls distinct min max mean stddev quantiles { name value } histogram { count } topValues { value count } } } }`,
    );
    const t = one.run.profile.find((p) => p.name === 't' && p.kind === 'column')!;
    expect(t).toMatchObject({ count: 3, nulls: 1, distinct: 2, min: 2, max: 4, mean: 3, topValues: [] });
    expect(t.stddev).toBeCloseTo(Math.SQRT2, 12);
    const city = one.run.profile.find((p) => p.name === 'city')!;
    expect(city.topValues).toEqual([
      { value: 'a', count: 1 },
      { value: 'b', count: 1 },
      { value: 'c', count: 1 },
    ]);
    const history = await server.ok<{ profileHistory: Array<{ runId: string; profile: { mean: number } }> }>(
      '{ profileHistory(contract: "temps", name: "t", kind: "feature") { runId profile { mean } } }',
    );
    expect(history.profileHistory).toEqual([
      { runId: ids[0], profile: { mean: 2 } },
      { runId: ids[1], profile: { mean: 3 } },
    ]);
  });
});
