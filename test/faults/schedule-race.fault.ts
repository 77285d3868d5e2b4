/**
 * Fault: two instances race for the same scheduled run. Both have the contract's
 * cron job (every 3 s, same wall clock, so they fire at the same instant) and share
 * the landing directory. Every landed file must be run exactly once (one run per raw
 * batch in the environment), its rows stored once, and later firings find nothing new.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, observe, waitFor, type Workspace } from './support/workspace';
import { metersContract, metersCsv, validRows, type CsvSpec } from './support/data';
import { gqlOk } from './support/client';
import { count, runs } from './support/store';
import type { Instance, LogLine } from './support/instance';

const FAULT = 'two instances race for a scheduled run';
const ROUNDS: string[][] = [['r1-a.csv', 'r1-b.csv'], ['r2-a.csv'], ['r3-a.csv', 'r3-b.csv', 'r3-c.csv']];
const spec = (i: number): CsvSpec => ({ rows: 400, entities: 40, rejectEvery: 50, offset: i * 400 });

const scheduled = (l: LogLine) => l.trigger === 'schedule' && l.contract === 'ticks';
const nothingNew = (i: Instance) =>
  i.logs.filter((l) => scheduled(l) && l.msg === 'nothing new to run').length;
const queuedBy = (i: Instance) =>
  i.logs.filter((l) => scheduled(l) && l.msg === 'triggered run finished').length;

describe(FAULT, () => {
  let ws: Workspace;
  let a: Instance;
  let b: Instance;

  beforeAll(async () => {
    ws = await createWorkspace('race');
    // No onArrival: only the schedule triggers runs.
    ws.addContract('ticks.yaml', metersContract('ticks', 'ticks', `schedule: { cron: '*/3 * * * * *' }\n`));
    a = await ws.start('a');
    b = await ws.start('b');
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await ws?.diagnose();
  });

  afterAll(async () => {
    await ws?.dispose();
  });

  it('each landed file is run exactly once, by one run, and later firings find nothing new', async () => {
    // Both instances have the job.
    for (const i of [a, b])
      await i.waitForLog(
        (l) => l.msg === 'cron schedule created' && l.contract === 'ticks',
        10_000,
        'cron job',
      );
    let landed = 0;
    let expectedRows = 0;
    for (const files of ROUNDS) {
      for (const f of files) {
        ws.land(`ticks/${f}`, metersCsv(spec(landed)));
        expectedRows += validRows(spec(landed));
        landed++;
      }
      // Every landed file has been read by a finished run.
      await waitFor(
        async () =>
          (await count(
            ws.db,
            "SELECT count(DISTINCT l.raw_batch_id) AS n FROM run_raw_batches l JOIN runs r ON r.id = l.run_id WHERE r.status = 'succeeded'",
          )) === landed,
        60_000,
        `${landed} files run`,
      );
    }

    // Later firings: at least three more on each instance after the last run; they queue nothing.
    const before = await count(ws.db, 'SELECT count(*) AS n FROM runs');
    const idle = { a: nothingNew(a), b: nothingNew(b) };
    await waitFor(
      async () => nothingNew(a) >= idle.a + 3 && nothingNew(b) >= idle.b + 3,
      30_000,
      'three more firings on each instance',
    );
    // Firings of one job never overlap (a firing while the last is in flight is skipped): once
    // each instance has logged one more, none that started before this point is still running.
    const seen = { a: nothingNew(a), b: nothingNew(b) };
    await waitFor(
      async () => nothingNew(a) > seen.a && nothingNew(b) > seen.b,
      30_000,
      'one more firing on each instance',
    );
    expect(await count(ws.db, 'SELECT count(*) AS n FROM runs')).toBe(before);

    // One run per raw batch per environment; every run a scheduled one that succeeded.
    const all = await runs(ws.db);
    expect(
      all.every((r) => r.status === 'succeeded' && r.trigger === 'schedule' && r.environment === 'dev'),
    ).toBe(true);
    expect(await count(ws.db, 'SELECT count(*) AS n FROM raw_batches')).toBe(landed);
    const perBatch = await ws.db.query<{ raw_batch_id: string; n: string }>(
      'SELECT raw_batch_id, count(*) AS n FROM run_raw_batches GROUP BY raw_batch_id',
    );
    expect(perBatch).toHaveLength(landed);
    expect(perBatch.every((r) => Number(r.n) === 1)).toBe(true);
    // Every row once.
    expect(await count(ws.db, 'SELECT count(*) AS n FROM feature_rows')).toBe(expectedRows);
    expect(
      await count(
        ws.db,
        'SELECT count(*) AS n FROM (SELECT DISTINCT entity_key, event_time FROM feature_rows) d',
      ),
    ).toBe(expectedRows);
    expect(all.reduce((s, r) => s + r.rows_written, 0)).toBe(expectedRows);
    // Both instances fired every time; between them they queued exactly the runs there are.
    expect(queuedBy(a) + queuedBy(b)).toBe(all.length);
    expect(nothingNew(a)).toBeGreaterThan(0);
    expect(nothingNew(b)).toBeGreaterThan(0);
    const executedBy = new Set(all.map((r) => r.claimed_by));

    const data = await gqlOk(
      b.graphqlUrl,
      '{ runs(contract: "ticks", first: 50) { totalCount nodes { status trigger } } }',
    );
    expect(data.runs.totalCount).toBe(all.length);

    observe(
      FAULT,
      `cron '*/3 * * * * *' on two instances sharing the landing directory; ${landed} files landed in ${ROUNDS.length} rounds`,
      `${all.length} scheduled runs, all succeeded (queued by a: ${queuedBy(a)}, by b: ${queuedBy(b)}; executed by ${executedBy.size} instance(s)); ` +
        `each of the ${landed} raw batches read by exactly one run; ${expectedRows} feature rows, each (entity, day) once; ` +
        `firings that found nothing new: a ${nothingNew(a)}, b ${nothingNew(b)}; no run queued by later firings`,
    );
  });
});
