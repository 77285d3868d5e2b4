/**
 * Fault: an instance is killed (SIGKILL) in the middle of a run, while its commit
 * transaction is inserting feature rows. Another instance must find the run once its
 * lease lapses, fail it as interrupted, and retry it; the store must hold the CSV's
 * valid rows exactly once, all written by the retry, and nothing of the killed attempt.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, observe, waitFor, type Workspace } from './support/workspace';
import { metersContract, validRows, writeMetersCsv, type CsvSpec } from './support/data';
import { gql, gqlOk } from './support/client';
import { claimedByPid, commitInFlight, count, leftovers, run, runs } from './support/store';
import type { Instance } from './support/instance';

const FAULT = 'instance killed mid-run';
const LEASE = { TIDEMARK_RUN_LEASE_MS: '2000', TIDEMARK_SWEEP_MS: '500' };
/** Big enough that the commit transaction takes seconds (it is killed inside it). */
const CSV: CsvSpec = { rows: 80_000, entities: 2_000, rejectEvery: 1_000 };

describe(FAULT, () => {
  let ws: Workspace;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    ws = await createWorkspace('killed');
    ws.addContract('meters.yaml', metersContract('meters', 'meters'));
    // One after the other: the first migrates and registers, the second finds it done.
    a = await ws.start('a', { env: LEASE });
    b = await ws.start('b', { env: LEASE });
    await writeMetersCsv(join(ws.landingDir, 'meters', 'big.csv'), CSV);
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await ws?.diagnose();
  });

  afterAll(async () => {
    await ws?.dispose();
  });

  it('another instance recovers the run after the lease; the retry succeeds; no partial run is stored', async () => {
    // Whoever claims it runs it; the answer never comes if that is the instance we kill.
    const answer = gql(
      a.graphqlUrl,
      'mutation { triggerRun(contract: "meters") { id status } }',
      {},
      { timeoutMs: 120_000 },
    ).catch((err: Error) => ({ error: err.message }));
    const claimed = await waitFor(
      async () => (await runs(ws.db, "status = 'running'"))[0],
      60_000,
      'a running run',
    );
    await waitFor(() => commitInFlight(ws.db), 60_000, 'the commit transaction inserting feature rows', 20);
    const victim = [a, b].find((i) => i.pid === claimedByPid(claimed.claimed_by))!;
    const survivor = victim === a ? b : a;
    expect(victim, `claimed_by ${claimed.claimed_by}`).toBeDefined();
    process.kill(victim.pid, 'SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');

    const failed = await waitFor(
      async () => {
        const r = await run(ws.db, claimed.id);
        return r?.status === 'failed' ? r : null;
      },
      30_000,
      'the killed run to be failed',
    );
    expect(failed.error_kind).toBe('interrupted');
    expect(failed.error).toMatch(/interrupted/);
    await survivor.waitForLog(
      (l) => l.msg === 'orphaned run recovered' && l.runId === claimed.id,
      5_000,
      'orphaned run recovered',
    );

    const retry = await waitFor(
      async () => {
        const [r] = await runs(
          ws.db,
          "parent_run_id = $1 AND trigger = 'retry' AND status IN ('succeeded', 'failed')",
          [claimed.id],
        );
        return r;
      },
      90_000,
      'the retry to finish',
    );
    expect(retry.status, retry.error ?? '').toBe('succeeded');
    expect(claimedByPid(retry.claimed_by)).toBe(survivor.pid);
    expect(retry.attempt).toBe(2);

    // The store: nothing of the killed attempt, the CSV's valid rows exactly once.
    const valid = validRows(CSV);
    expect(await leftovers(ws.db, claimed.id)).toEqual({ features: 0, rejects: 0, lineage: 0 });
    expect(await count(ws.db, 'SELECT count(*) AS n FROM feature_rows')).toBe(valid);
    expect(
      await count(
        ws.db,
        'SELECT count(*) AS n FROM feature_rows WHERE run_seq = (SELECT seq FROM runs WHERE id = $1)',
        [retry.id],
      ),
    ).toBe(valid);
    expect(
      await count(
        ws.db,
        'SELECT count(*) AS n FROM (SELECT DISTINCT entity_key, event_time FROM feature_rows) d',
      ),
    ).toBe(valid);
    expect(retry.rows_written).toBe(valid);
    expect(await count(ws.db, 'SELECT count(*) AS n FROM runs')).toBe(2);
    // The sequence moved past what is stored: the killed transaction had inserted rows, then they were rolled back.
    const [seq] = await ws.db.query<{ last_value: string }>('SELECT last_value FROM feature_rows_id_seq');
    const inserted = Number(seq!.last_value);
    expect(inserted).toBeGreaterThan(valid);

    // The survivor says the same over GraphQL.
    const data = await gqlOk(
      survivor.graphqlUrl,
      'query($id: ID!) { run(id: $id) { status error children { id trigger status rowsWritten } } }',
      { id: claimed.id },
    );
    expect(data.run.status).toBe('FAILED');
    expect(data.run.children).toEqual([
      { id: retry.id, trigger: 'retry', status: 'SUCCEEDED', rowsWritten: valid },
    ]);

    const answered = await answer;
    observe(
      FAULT,
      `${CSV.rows}-row CSV; two instances (lease 2 s, sweep 0.5 s); SIGKILL the claiming instance while its commit transaction inserts feature rows`,
      `killed run → failed, errorKind interrupted (recovered by the other instance's sweep); automatic retry (attempt 2) by the survivor → succeeded with ${valid} rows; ` +
        `0 rows/rejects/lineage of the killed run; ${valid} feature rows in all, each (entity, day) once; ~${inserted - valid} uncommitted inserts rolled back; ` +
        `the triggerRun caller ${'error' in answered ? 'lost its connection (it was talking to the killed instance)' : `got ${JSON.stringify((answered as { data: unknown }).data)}`}`,
    );
  });
});
