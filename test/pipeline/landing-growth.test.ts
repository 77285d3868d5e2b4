/**
 * Landing files are append-only (issue 14.13): a file that grew after a run read it
 * gives the next trigger only its appended complete lines, as a raw batch of its own
 * that reads alone (CSV: the header in front) and reprocesses to the same rows; a last
 * line without its line end waits. A file whose ingested bytes changed is refused,
 * naming it, and nothing of it is stored twice; `force` reads it whole again.
 */
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangedLandingFileError } from '../../src/pipeline/landing-file';
import { ConflictError } from '../../src/errors';
import { T } from '../../src/store/tables';
import { testEngine } from '../support/engine';
import { countRows, createTestRuntime, type TestRuntime } from '../support/runtime';
import { casesContract } from '../fixtures/contracts/cases';

const contract = (name: string, source: string) => casesContract({ name, source });

const DAILY = contract('daily', '{ type: csv, path: "daily/*.csv" }');
const WIDE = contract('wide', '{ type: csv, path: "wide/*.csv", encoding: utf16le }');
const LINES = contract('lines', '{ type: jsonl, path: "lines/*.jsonl" }');

const HEAD = 'date,country,cases\n';
const row = (day: number, country: string, cases: number) =>
  `2024-01-${String(day).padStart(2, '0')},${country},${cases}\n`;

describe(`landing files that grow or change (${testEngine()})`, () => {
  let rt: TestRuntime;
  let path: string;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [DAILY, WIDE, LINES] });
    path = join(rt.config.landingDir, 'daily/a.csv');
  });
  afterEach(() => rt.dispose());

  const trigger = (
    opts: { force?: boolean; file?: string; contract?: string; environment?: 'dev' | 'test' } = {},
  ) => rt.runs.trigger({ contract: 'daily', environment: 'dev', actor: 'test', ...opts });
  const keptText = (storagePath: string) => readFileSync(join(rt.config.rawDir, storagePath), 'utf8');
  const cases = async (contractName: string, countries: string[], environment: 'dev' | 'test' = 'dev') =>
    (await rt.features.features({ contract: contractName, entities: countries, environment })).map(
      (v) => v.values,
    );

  it('reads only the appended lines of a file that grew, as a raw batch that reads on its own', async () => {
    await rt.land('daily/a.csv', HEAD + row(1, 'DEU', 1) + row(1, 'FRA', 2));
    const first = await trigger();
    const sizeBefore = readFileSync(path).length;
    appendFileSync(path, row(2, 'DEU', 3) + row(2, 'FRA', 4) + row(2, 'ITA', 5));

    const second = await trigger();

    expect(first.counts).toMatchObject({ read: 2, written: 2 });
    expect(second.counts).toMatchObject({ read: 3, written: 3, rejected: 0 });
    expect(await countRows(rt, T.featureRows)).toBe(5);
    const [batch] = await rt.store.rawBatches.forRun(second.id);
    expect(keptText(batch!.storagePath)).toBe(HEAD + row(2, 'DEU', 3) + row(2, 'FRA', 4) + row(2, 'ITA', 5));
    expect(batch!.sourceUri).toBe(`${path}#bytes=${sizeBefore}-${readFileSync(path).length - 1}`);
    expect(await cases('daily', ['DEU', 'FRA', 'ITA'])).toEqual([{ cases: 3 }, { cases: 4 }, { cases: 5 }]);
    // Nothing more until it grows again.
    await expect(trigger()).rejects.toThrow(/nothing new to run for daily: 1 file\(s\) already ingested/);

    // Raw batches stay immutable: reprocessing the second run gives the same rows.
    const again = await rt.runs.reprocess(second.id, { actor: 'test' });
    expect(again).toMatchObject({ status: 'succeeded', counts: { read: 3, written: 3 } });
    expect(again.outputDigest).toBe(second.outputDigest);
    expect(await cases('daily', ['DEU', 'FRA', 'ITA'])).toEqual([{ cases: 3 }, { cases: 4 }, { cases: 5 }]);
  });

  it('keeps a last line without its line end for the next trigger', async () => {
    await rt.land('daily/a.csv', HEAD + row(1, 'DEU', 1));
    await trigger();
    appendFileSync(path, row(2, 'DEU', 2) + '2024-01-03,DE');

    const second = await trigger();
    expect(second.counts).toMatchObject({ read: 1, written: 1 });
    await expect(trigger()).rejects.toThrow(/nothing new to run/);

    appendFileSync(path, 'U,30\n');
    const third = await trigger();
    expect(third.counts).toMatchObject({ read: 1, written: 1, rejected: 0 });
    expect(await cases('daily', ['DEU'])).toEqual([{ cases: 30 }]);
    expect(await countRows(rt, T.featureRows)).toBe(3);
  });

  it('takes a file whose last ingested line had no line end, when the appended bytes end that line', async () => {
    await rt.land('daily/a.csv', HEAD + row(1, 'DEU', 1).trimEnd());
    expect((await trigger()).counts.read).toBe(1);
    appendFileSync(path, '\r\n' + row(2, 'DEU', 2));

    const second = await trigger();
    expect(second.counts).toMatchObject({ read: 1, written: 1, rejected: 0 });
    const [batch] = await rt.store.rawBatches.forRun(second.id);
    expect(keptText(batch!.storagePath)).toBe(HEAD + row(2, 'DEU', 2));
  });

  it('refuses a file rewritten after it was ingested, naming it, and stores nothing of it twice', async () => {
    await rt.land('daily/a.csv', HEAD + row(1, 'DEU', 1) + row(1, 'FRA', 2));
    await trigger();
    // Same length, one value changed, one row added: not an append.
    writeFileSync(path, HEAD + row(1, 'DEU', 9) + row(1, 'FRA', 2) + row(2, 'ITA', 5));

    const refusal = await trigger({ file: 'daily/a.csv' }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ChangedLandingFileError);
    expect(refusal).toBeInstanceOf(ConflictError);
    expect((refusal as Error).message).toMatch(
      /^landing file 'daily\/a\.csv' changed after it was ingested \(its first 53 bytes, already ingested, are not what was read then\); refused, so that no row is stored twice\. Land changed content under a new name, or read it whole again with tidemark run daily --file daily\/a\.csv --force/,
    );
    // A glob trigger with nothing else to run answers the same refusal.
    await expect(trigger()).rejects.toThrow(ChangedLandingFileError);

    // A glob goes on with the other files and says which one it left out.
    await rt.land('daily/b.csv', HEAD + row(3, 'ESP', 7));
    const other = await trigger();
    expect(other.counts).toMatchObject({ read: 1, written: 1 });
    const audit = (await rt.store.audit.list({ targetKind: 'contract' })).find(
      (e) => e.action === 'run.trigger',
    );
    expect(audit!.details).toMatchObject({
      refused: [{ file: 'daily/a.csv', reason: expect.stringMatching(/already ingested/) }],
    });

    expect(await countRows(rt, T.runs)).toBe(2);
    expect(await countRows(rt, T.rawBatches)).toBe(2);
    expect(await countRows(rt, T.featureRows)).toBe(3);
    expect(await cases('daily', ['DEU'])).toEqual([{ cases: 1 }]);
  });

  it('refuses a file cut shorter, and one whose unterminated last line was continued', async () => {
    await rt.land('daily/a.csv', HEAD + row(1, 'DEU', 1) + row(1, 'FRA', 2));
    await trigger();
    truncateSync(path, Buffer.byteLength(HEAD + row(1, 'DEU', 1)));
    await expect(trigger({ file: 'daily/a.csv' })).rejects.toThrow(
      /\(it has 36 bytes now, fewer than the 53 already ingested\)/,
    );

    await rt.land('daily/c.csv', HEAD + row(1, 'ITA', 1).trimEnd());
    await trigger({ file: 'daily/c.csv' });
    appendFileSync(join(rt.config.landingDir, 'daily/c.csv'), '0\n'); // "…,1" becomes "…,10"
    await expect(trigger({ file: 'daily/c.csv' })).rejects.toThrow(
      /its last line, ingested without a line end, was continued/,
    );
    expect(await cases('daily', ['ITA'])).toEqual([{ cases: 1 }]);
  });

  it('with force, reads a changed file whole again and follows it from there', async () => {
    await rt.land('daily/a.csv', HEAD + row(1, 'DEU', 1));
    await trigger();
    writeFileSync(path, HEAD + row(1, 'DEU', 9) + row(1, 'FRA', 2));

    const forced = await trigger({ file: 'daily/a.csv', force: true });
    expect(forced.counts).toMatchObject({ read: 2, written: 2 });
    appendFileSync(path, row(2, 'FRA', 3));
    const next = await trigger();
    expect(next.counts).toMatchObject({ read: 1, written: 1 });
    expect(await cases('daily', ['DEU', 'FRA'])).toEqual([{ cases: 9 }, { cases: 3 }]);
  });

  it('an environment that reads the file later reads all of it once: the first part and each appended one', async () => {
    await rt.land('daily/a.csv', HEAD + row(1, 'DEU', 1));
    await trigger();
    appendFileSync(path, row(2, 'DEU', 2));
    await trigger();
    await rt.contracts.promote('daily', '1.0.0', 'test', 'test');

    const inTest = await trigger({ environment: 'test' });

    expect(inTest.counts).toMatchObject({ read: 2, written: 2 });
    expect((await rt.store.rawBatches.forRun(inTest.id)).length).toBe(2);
    expect(await cases('daily', ['DEU'], 'test')).toEqual([{ cases: 2 }]);
    appendFileSync(path, row(3, 'DEU', 3));
    const [dev, test] = [await trigger(), await trigger({ environment: 'test' })];
    expect([dev.counts.read, test.counts.read]).toEqual([1, 1]);
  });

  it('two environments reading the same growth at once record it once and each read it once', async () => {
    await rt.land('daily/a.csv', HEAD + row(1, 'DEU', 1));
    await trigger();
    await rt.contracts.promote('daily', '1.0.0', 'test', 'test');
    await trigger({ environment: 'test' });
    appendFileSync(path, row(2, 'DEU', 2) + row(2, 'FRA', 3));

    const [dev, test] = await Promise.all([trigger(), trigger({ environment: 'test' })]);

    expect([dev.counts.read, test.counts.read]).toEqual([2, 2]);
    expect(await countRows(rt, T.landingSegments)).toBe(2);
    expect(await countRows(rt, T.rawBatches)).toBe(2);
    expect((await rt.store.rawBatches.forRun(dev.id))[0]!.id).toBe(
      (await rt.store.rawBatches.forRun(test.id))[0]!.id,
    );
  });

  it('a file read whole before appends were tracked (an upgraded store) gives only what was appended since', async () => {
    await rt.land('daily/a.csv', HEAD + row(1, 'DEU', 1));
    await trigger();
    await rt.store.db(T.landingSegments).delete(); // as before this table existed
    appendFileSync(path, row(2, 'DEU', 2));

    const second = await trigger();

    expect(second.counts).toMatchObject({ read: 1, written: 1 });
    expect(await countRows(rt, T.featureRows)).toBe(2);
  });

  it('follows UTF-16 CSV and JSON Lines files by their own line ends', async () => {
    const wide = (s: string) => Buffer.from(s, 'utf16le');
    await rt.land('wide/w.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), wide(HEAD + row(1, 'DEU', 1))]));
    await trigger({ contract: 'wide' });
    // A character whose UTF-16 code unit holds a 0x0A byte (U+0A0D) must not pass for a line end.
    appendFileSync(join(rt.config.landingDir, 'wide/w.csv'), wide(row(2, 'DEU', 2) + '2024-01-03,\u0a0d'));
    const second = await trigger({ contract: 'wide' });
    expect(second.counts).toMatchObject({ read: 1, written: 1, rejected: 0 });
    expect(await cases('wide', ['DEU'])).toEqual([{ cases: 2 }]);

    const line = (day: number, cases: number) =>
      JSON.stringify({ date: `2024-01-0${day}`, country: 'FRA', cases }) + '\n';
    await rt.land('lines/l.jsonl', line(1, 1));
    await trigger({ contract: 'lines' });
    appendFileSync(join(rt.config.landingDir, 'lines/l.jsonl'), line(2, 2) + line(3, 3));
    const more = await trigger({ contract: 'lines' });
    expect(more.counts).toMatchObject({ read: 2, written: 2 });
    const [batch] = await rt.store.rawBatches.forRun(more.id);
    expect(keptText(batch!.storagePath)).toBe(line(2, 2) + line(3, 3));
  });
});
