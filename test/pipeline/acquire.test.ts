/**
 * Acquisition through the runtime: every input is kept as a raw batch under the raw
 * directory, content-addressed by sha256; the same content is recognised and not run
 * again unless forced, and a forced run reuses the kept batch.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { T } from '../../src/store/tables';
import { testEngine } from '../support/engine';
import { countRows, createTestRuntime, type TestRuntime } from '../support/runtime';
import { casesContract } from '../fixtures/contracts/cases';

const CONTRACT = casesContract({ name: 'daily', path: 'daily/*.csv' });
const PUSH = casesContract({ name: 'pushed', source: '{ type: push }' });

const A = 'date,country,cases\n2024-01-01,DEU,1\n2024-01-02,DEU,2\n2024-01-01,FRA,3\n';
const B = 'date,country,cases\n2024-01-03,DEU,4\n';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe(`acquisition and raw batches (${testEngine()})`, () => {
  let rt: TestRuntime;
  beforeEach(async () => {
    rt = await createTestRuntime({ contracts: [CONTRACT, PUSH] });
  });
  afterEach(() => rt.dispose());

  const trigger = (opts: { force?: boolean; file?: string } = {}) =>
    rt.runs.trigger({ contract: 'daily', environment: 'dev', actor: 'test', ...opts });

  it('keeps the input under the raw directory, addressed by its sha256', async () => {
    const path = await rt.land('daily/a.csv', A);

    const run = await trigger();

    const [batch] = await rt.store.rawBatches.forRun(run.id);
    const sha = sha256(A);
    expect(batch).toMatchObject({
      contractName: 'daily',
      sha256: sha,
      sourceType: 'csv',
      sourceUri: path,
      sizeBytes: Buffer.byteLength(A),
      rowCount: 3,
      storagePath: join(sha.slice(0, 2), sha),
      receivedAt: rt.clock.now(),
    });
    expect(readFileSync(join(rt.config.rawDir, batch!.storagePath), 'utf8')).toBe(A);
  });

  it('keeps pushed records as JSON Lines, addressed by their sha256', async () => {
    const records = [{ date: '2024-01-01', country: 'DEU', cases: 1 }];
    const run = await rt.runs.ingest({ contract: 'pushed', environment: 'dev', records, actor: 'test' });

    const [batch] = await rt.store.rawBatches.forRun(run.id);
    const kept = readFileSync(join(rt.config.rawDir, batch!.storagePath));
    expect(
      kept
        .toString('utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(records);
    expect(batch!.sha256).toBe(sha256(kept));
  });

  it('refuses identical content a second time, under any file name', async () => {
    await rt.land('daily/a.csv', A);
    const first = await trigger();
    expect(first.status).toBe('succeeded');

    await expect(trigger()).rejects.toThrow(InputError);
    await expect(trigger()).rejects.toThrow(/already ingested/);
    rmSync(join(rt.config.landingDir, 'daily/a.csv'));
    await rt.land('daily/copy-of-a.csv', A);
    await expect(trigger()).rejects.toThrow(/already ingested/);

    expect(await countRows(rt, T.runs)).toBe(1);
    expect(await countRows(rt, T.rawBatches)).toBe(1);
    // The copy was hashed as it was kept: one file under its sha256, no temporary copy left.
    const sha = sha256(A);
    expect(readdirSync(rt.config.rawDir)).toEqual([sha.slice(0, 2)]);
    expect(readdirSync(join(rt.config.rawDir, sha.slice(0, 2)))).toEqual([sha]);
  });

  it('runs only the new files of a glob', async () => {
    await rt.land('daily/a.csv', A);
    const first = await trigger();
    await rt.land('daily/b.csv', B);

    const second = await trigger();

    const [firstBatch] = await rt.store.rawBatches.forRun(first.id);
    const secondBatches = await rt.store.rawBatches.forRun(second.id);
    expect(secondBatches.map((b) => b.sha256)).toEqual([sha256(B)]);
    expect(secondBatches[0]!.id).not.toBe(firstBatch!.id);
    expect(second.counts.read).toBe(1);
    expect(await countRows(rt, T.rawBatches)).toBe(2);
  });

  it('with force, runs the same content again over the one kept raw batch', async () => {
    await rt.land('daily/a.csv', A);
    const first = await trigger();

    const forced = await trigger({ force: true });

    expect(forced.id).not.toBe(first.id);
    expect(forced.status).toBe('succeeded');
    expect(forced.counts).toEqual(first.counts);
    expect(forced.outputDigest).toBe(first.outputDigest);
    const [a] = await rt.store.rawBatches.forRun(first.id);
    const [b] = await rt.store.rawBatches.forRun(forced.id);
    expect(b!.id).toBe(a!.id);
    expect(await countRows(rt, T.rawBatches)).toBe(1);
    expect(await countRows(rt, T.runRawBatches)).toBe(2);
    expect((await rt.store.rawBatches.runsOf(a!.id)).sort()).toEqual([first.id, forced.id].sort());
  });

  it('with force, runs identical files matched by one glob once', async () => {
    await rt.land('daily/a.csv', A);
    await rt.land('daily/same-as-a.csv', A);

    const first = await trigger();
    const forced = await trigger({ force: true });

    for (const run of [first, forced]) {
      expect(run.error).toBeNull();
      expect(run.counts.read).toBe(3);
      expect(await rt.store.rawBatches.forRun(run.id)).toHaveLength(1);
    }
    expect(await countRows(rt, T.rawBatches)).toBe(1);
  });

  it('fails the run, not the process, when a kept raw file has gone missing', async () => {
    await rt.land('daily/a.csv', A);
    const first = await trigger();
    const [batch] = await rt.store.rawBatches.forRun(first.id);
    rmSync(join(rt.config.rawDir, batch!.storagePath));
    const featureRows = await countRows(rt, T.featureRows);

    const run = await trigger({ force: true });

    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/ENOENT/);
    expect((await rt.store.runs.get(run.id))!.status).toBe('failed');
    expect(await countRows(rt, T.featureRows)).toBe(featureRows);
    expect(existsSync(join(rt.config.landingDir, 'daily/a.csv'))).toBe(true);
  });

  it('reports an empty landing location as bad input', async () => {
    await expect(trigger()).rejects.toThrow(/no file matches 'daily\/\*\.csv'/);
    expect(await countRows(rt, T.runs)).toBe(0);
  });
});
