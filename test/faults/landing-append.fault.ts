/**
 * Fault (issue 14.13): a landing file keeps growing after its arrival run read it, the
 * way a log or an export written in parts does, and then is rewritten in place. The
 * appended rows must be stored once (not the whole file again), and the rewritten file
 * must be refused, naming it, with nothing stored twice.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, observe, waitFor, type Workspace } from './support/workspace';
import { metersContract, metersCsv, type CsvSpec } from './support/data';
import { count, runs } from './support/store';
import type { Instance } from './support/instance';

const FAULT = 'landing file grows, then is rewritten';
const ROWS = 30_000;
const first: CsvSpec = { rows: ROWS, entities: 300, rejectEvery: 0 };
const more: CsvSpec = { ...first, offset: ROWS };
/** A meters CSV without its header line: what a writer appends. */
const body = (s: CsvSpec) => metersCsv(s).slice('day,meter,reading\n'.length);

describe(FAULT, () => {
  let ws: Workspace;
  let a: Instance;

  beforeAll(async () => {
    ws = await createWorkspace('append');
    ws.addContract('logs.yaml', metersContract('logs', 'logs', 'schedule: { onArrival: true }\n'));
    a = await ws.start('a');
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await ws?.diagnose();
  });

  afterAll(async () => {
    await ws?.dispose();
  });

  const succeeded = (n: number) => async () =>
    (await count(ws.db, "SELECT count(*) AS n FROM runs WHERE status = 'succeeded'")) >= n;

  it('the appended rows are stored once; the rewritten file is refused by name', async () => {
    const path = join(ws.landingDir, 'logs', 'app.csv');
    ws.land('logs/app.csv', metersCsv(first));
    await waitFor(succeeded(1), 60_000, 'the arrival run of the first 30,000 rows');

    appendFileSync(path, body(more));
    await waitFor(succeeded(2), 60_000, 'the arrival run of the appended 30,000 rows');

    const [one, two] = await runs(ws.db);
    expect([one!.rows_read, two!.rows_read]).toEqual([ROWS, ROWS]);
    expect(two!.trigger).toBe('arrival');
    const stored = await count(ws.db, 'SELECT count(*) AS n FROM feature_rows');
    const distinct = await count(
      ws.db,
      'SELECT count(*) AS n FROM (SELECT DISTINCT entity_key, event_time FROM feature_rows) d',
    );
    expect([stored, distinct]).toEqual([2 * ROWS, 2 * ROWS]);
    expect(await count(ws.db, 'SELECT count(*) AS n FROM raw_batches')).toBe(2);

    // Rewritten in place: same name, first reading changed.
    writeFileSync(
      path,
      metersCsv(first).replace(/^(day,meter,reading\n[^,]+,[^,]+,)\d+/, '$1999') + body(more),
    );
    const refused = await a.waitForLog(
      (l) => l.msg === 'run refused' && l.file === 'logs/app.csv',
      30_000,
      'the refusal of the rewritten file',
    );
    expect(String(refused.reason)).toMatch(/^landing file 'logs\/app\.csv' changed after it was ingested/);
    const cli = await ws.cli(['run', 'logs', '--file', 'logs/app.csv']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/landing file 'logs\/app\.csv' changed after it was ingested/);
    expect(await runs(ws.db)).toHaveLength(2);
    expect(await count(ws.db, 'SELECT count(*) AS n FROM feature_rows')).toBe(2 * ROWS);
    expect(a.logs.some((l) => l.msg === 'arrival trigger failed; retrying')).toBe(false);

    observe(
      FAULT,
      `onArrival contract; a ${ROWS.toLocaleString('en')}-row CSV lands, then ${ROWS.toLocaleString('en')} rows are appended to it, then it is rewritten in place (first value changed); then \`tidemark run logs --file logs/app.csv\``,
      `two arrival runs, read ${one!.rows_read.toLocaleString('en')} then ${two!.rows_read.toLocaleString('en')} rows (the second only the appended lines, a raw batch of its own with the header in front); ${stored.toLocaleString('en')} feature rows, each (meter, day) once; ` +
        `the rewrite: no run, warning "run refused" (${String(refused.reason).slice(0, 120)}…), not retried; the CLI exit 1 with the same words; nothing stored twice`,
    );
  });
});
