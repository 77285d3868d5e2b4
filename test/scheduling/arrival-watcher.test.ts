/**
 * Arrival triggers on a real runtime and a real landing directory: a landed file
 * runs once it is complete, the same content under another name is recognised,
 * files there before start-up are caught up, files no watched glob matches and
 * contracts without onArrival start nothing, and contracts that become active later
 * (apply, promote) catch up what has already landed. A file that grows after its run
 * runs again over the appended lines only; one rewritten is refused, not retried.
 * Files renamed into a directory just made, before chokidar watches it, run once each.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { appendFile, mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseContract } from '../../src/contracts/parse';
import { createLogger } from '../../src/observability/logger';
import { ArrivalWatcher, type ArrivalEvent } from '../../src/scheduling/arrival-watcher';
import type { Run } from '../../src/domain/run';
import { testEngine } from '../support/engine';
import { countRows, createTestRuntime, type TestRuntime } from '../support/runtime';
import { T } from '../../src/store/tables';
import { beforeWatchStarts } from './watch-gap';
import { casesContract } from '../fixtures/contracts/cases';

const CSV = 'date,country,cases\n2024-01-01,DEU,1\n2024-01-01,FRA,2\n';
const STABILITY_MS = 300;

function contract(name: string, opts: { onArrival?: boolean; path?: string; version?: string } = {}): string {
  return casesContract({
    name,
    version: opts.version,
    path: opts.path,
    schedule: `{ onArrival: ${opts.onArrival ?? true} }`,
  });
}

describe(`arrival watcher (${testEngine()})`, () => {
  let rt: TestRuntime | undefined;
  let watcher: ArrivalWatcher | undefined;
  let lines: Array<{ level: string; msg: string }> = [];

  afterEach(async () => {
    await watcher?.stop();
    await rt?.dispose();
    watcher = undefined;
    rt = undefined;
  });

  async function setUp(contracts: string[], opts: { start?: boolean } = {}) {
    rt = await createTestRuntime({ contracts });
    lines = [];
    const logger = createLogger('debug', { write: (s: string) => void lines.push(JSON.parse(s)) });
    const w = new ArrivalWatcher({
      runs: rt.runs,
      registry: rt.registry,
      landingDir: rt.config.landingDir,
      logger,
      stabilityMs: STABILITY_MS,
    });
    watcher = w;
    rt.contracts.onChange(() => void w.refresh());
    if (opts.start !== false) await w.start();
    return { rt, watcher: w };
  }

  /** The first event matching `pred` from now on; fails after 15 s. */
  function next<E extends ArrivalEvent>(pred: (e: ArrivalEvent) => e is E): Promise<E>;
  function next(pred: (e: ArrivalEvent) => boolean): Promise<ArrivalEvent>;
  function next(pred: (e: ArrivalEvent) => boolean): Promise<ArrivalEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching arrival event within 15 s')), 15_000);
      const off = watcher!.onEvent((e) => {
        if (!pred(e)) return;
        clearTimeout(timer);
        off();
        resolve(e);
      });
    });
  }

  const outcomeOf = (file: string, environment = 'dev') =>
    next((e) => e.type === 'outcome' && e.file === file && e.environment === environment).then(
      (e) => (e as Extract<ArrivalEvent, { type: 'outcome' }>).outcome,
    );
  const fileEvent = (file: string) =>
    next((e) => e.type === 'file' && e.file === file) as Promise<Extract<ArrivalEvent, { type: 'file' }>>;
  const runOf = async (file: string, environment = 'dev'): Promise<Run> => {
    const outcome = await outcomeOf(file, environment);
    if (outcome.kind !== 'run') throw new Error(`expected a run for ${file}, got ${JSON.stringify(outcome)}`);
    return outcome.run;
  };
  const allRuns = async () => (await rt!.store.runs.list({}, 100)).runs;
  const errors = () => lines.filter((l) => l.level === 'error' || l.level === 'warn');

  it('runs a file landed after start, once complete, with its rows', async () => {
    const { rt } = await setUp([contract('sales')]);
    const ran = runOf('sales/2024-01-01.csv');
    await rt.land('sales/2024-01-01.csv', CSV);

    const run = await ran;
    expect(run).toMatchObject({
      status: 'succeeded',
      trigger: 'arrival',
      createdBy: 'system:arrival',
      environment: 'dev',
    });
    expect(run.counts).toMatchObject({ read: 2, written: 2 });
    const vectors = await rt.features.features({
      contract: 'sales',
      entities: ['DEU', 'FRA'],
      environment: 'dev',
    });
    expect(vectors.map((v) => v.values)).toEqual([{ cases: 1 }, { cases: 2 }]);
    expect(errors()).toEqual([]);
  });

  it('recognises the same content under another name: no second run and no error', async () => {
    const { rt } = await setUp([contract('sales')]);
    const first = runOf('sales/a.csv');
    await rt.land('sales/a.csv', CSV);
    await first;

    const second = outcomeOf('sales/b.csv');
    await rt.land('sales/b.csv', CSV);

    expect(await second).toMatchObject({
      kind: 'nothing-new',
      reason: expect.stringMatching(/already ingested in dev/),
    });
    expect(await allRuns()).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'nothing new to run')).toHaveLength(1);
    expect(errors()).toEqual([]);
  });

  it('runs the same content landed under two names at once only once', async () => {
    const { rt } = await setUp([contract('sales')]);
    const outcomes = Promise.all([outcomeOf('sales/x.csv'), outcomeOf('sales/y.csv')]);
    await Promise.all([rt.land('sales/x.csv', CSV), rt.land('sales/y.csv', CSV)]);

    expect((await outcomes).map((o) => o.kind).sort()).toEqual(['nothing-new', 'run']);
    expect(await allRuns()).toHaveLength(1);
    expect(errors()).toEqual([]);
  });

  it('catches up files that were there before start-up', async () => {
    const { rt, watcher } = await setUp([contract('sales')], { start: false });
    await rt.land('sales/early.csv', CSV);
    const ran = runOf('sales/early.csv');
    await watcher.start();

    expect(await ran).toMatchObject({ status: 'succeeded', trigger: 'arrival', counts: { read: 2 } });
  });

  it('runs a file written in two parts once, over its complete content', async () => {
    const { rt } = await setUp([contract('sales')]);
    const path = join(rt.config.landingDir, 'sales/slow.csv');
    await mkdir(dirname(path), { recursive: true });
    const ran = runOf('sales/slow.csv');
    const handle = await open(path, 'w');
    await handle.write('date,country,cases\n2024-01-01,DEU,1\n2024-01-01,F');
    await handle.sync();
    await new Promise((r) => setTimeout(r, STABILITY_MS / 3)); // less than the stability window
    await handle.write('RA,2\n2024-01-01,ITA,3\n');
    await handle.close();

    const run = await ran;
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ read: 3, rejected: 0, written: 3 });
    // A later file's event proves the watcher has moved on; still the one run.
    const sentinel = fileEvent('other/sentinel.txt');
    await rt.land('other/sentinel.txt', 'x');
    await sentinel;
    expect(await allRuns()).toHaveLength(1);
  });

  it('sees files renamed into directories made a moment before, each once', async () => {
    const { rt, watcher } = await setUp([contract('sales', { path: 'sales/**/*.csv' })], { start: false });
    const landing = rt.config.landingDir;
    await mkdir(join(landing, 'sales'), { recursive: true });
    await watcher.start();
    const row = (day: number) => `2024-01-${String(day).padStart(2, '0')},DEU,${day}\n`;
    const csv = (...days: number[]) => 'date,country,cases\n' + days.map(row).join('');
    const renameIn = (file: string, content: string) => () => {
      const staged = join(landing, `.staged-${file.replace(/\W/g, '_')}`);
      writeFileSync(staged, content);
      mkdirSync(dirname(join(landing, file)), { recursive: true });
      renameSync(staged, join(landing, file));
    };
    // Each file goes in after chokidar has read its new directory and before it watches
    // it, as in the fault run that lost one. 'sales/n' gets a whole subtree, which
    // chokidar then never reads; 'sales/g' a file that is still being written.
    const files = Array.from({ length: 6 }, (_, i) => `sales/d${i}/part.csv`);
    const [nested, growing, later] = ['sales/n/deep/er/a.csv', 'sales/g/a.csv', 'sales/n/deep/er/b.csv'];
    const inGap = new Map<string, () => void>([
      ...files.map((f, i) => [join(landing, dirname(f)), renameIn(f, csv(i + 1))] as const),
      [join(landing, 'sales/n'), renameIn(nested, csv(10))],
      [join(landing, 'sales/g'), renameIn(growing, csv(20))],
    ]);
    const undo = beforeWatchStarts((dir) => {
      inGap.get(dir)?.();
      inGap.delete(dir);
    });
    const seen = new Map<string, number>();
    watcher.onEvent((e) => void (e.type === 'file' && seen.set(e.file, (seen.get(e.file) ?? 0) + 1)));
    try {
      const runs = [...files, nested].map((f) => runOf(f));
      const grown = runOf(growing);
      for (const f of [...files, nested, growing]) await mkdir(join(landing, f.split('/', 2).join('/')));
      // Still growing for twice the stability window: run once, when complete.
      for (let day = 21; day <= 26; day++) {
        await new Promise((r) => setTimeout(r, STABILITY_MS / 3));
        await appendFile(join(landing, growing), row(day));
      }
      for (const run of await Promise.all(runs)) expect(run.counts).toMatchObject({ read: 1, written: 1 });
      expect((await grown).counts).toMatchObject({ read: 7, written: 7 });
      expect(inGap.size).toBe(0);
    } finally {
      undo();
    }
    // The subtree chokidar missed is watched from now on.
    const ranLater = runOf(later);
    await rt.land(later, csv(30));
    await ranLater;
    await new Promise((r) => setTimeout(r, 2 * STABILITY_MS));
    const all = [...files, nested, growing, later];
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(all.map((f) => [f, 1])));
    expect(await allRuns()).toHaveLength(all.length);
  });

  it('starts nothing for a file no watched glob matches, nor for a contract without onArrival', async () => {
    const { rt } = await setUp([
      contract('sales'),
      contract('manual_only', { onArrival: false, path: 'manual/*.csv' }),
    ]);
    const unmatched = fileEvent('elsewhere/2024-01-01.csv');
    const notOnArrival = fileEvent('manual/2024-01-01.csv');
    await rt.land('elsewhere/2024-01-01.csv', CSV);
    await rt.land('manual/2024-01-01.csv', CSV);

    expect((await unmatched).matched).toEqual([]);
    expect((await notOnArrival).matched).toEqual([]);
    expect(await allRuns()).toEqual([]);
  });

  it('ignores dotfiles, dot-directories and temp files', async () => {
    const { rt, watcher } = await setUp([contract('sales', { path: 'sales/**' })]);
    const seen: string[] = [];
    watcher.onEvent((e) => void (e.type === 'file' && seen.push(e.file)));
    await rt.land('sales/.upload-in-progress.csv', CSV);
    await rt.land('sales/.partial/part-1.csv', CSV);
    await rt.land('sales/2024-01-01.csv.part', CSV);
    await rt.land('sales/2024-01-01.csv.tmp', CSV);
    const ran = runOf('sales/real.csv');
    await rt.land('sales/real.csv', CSV);

    await ran;
    expect(seen).toEqual(['sales/real.csv']);
    expect(await allRuns()).toHaveLength(1);
  });

  it('after refresh, watches a newly applied contract and catches up what has landed', async () => {
    const { rt } = await setUp([]);
    const landed = fileEvent('sales/2024-01-01.csv');
    await rt.land('sales/2024-01-01.csv', CSV);
    expect((await landed).matched).toEqual([]);

    const ran = runOf('sales/2024-01-01.csv');
    await rt.contracts.apply([parseContract(contract('sales'), 'sales.yaml')], 'test');

    expect(await ran).toMatchObject({ status: 'succeeded', trigger: 'arrival', contractVersion: '1.0.0' });
  });

  it('runs an arrival in every environment the contract is active in, after promotion', async () => {
    const { rt } = await setUp([contract('sales')]);
    const inDev = runOf('sales/a.csv');
    await rt.land('sales/a.csv', CSV);
    await inDev;

    const caughtUp = runOf('sales/a.csv', 'test');
    await rt.contracts.promote('sales', '1.0.0', 'test', 'test');
    expect(await caughtUp).toMatchObject({ status: 'succeeded', environment: 'test' });

    const devB = runOf('sales/b.csv', 'dev');
    const testB = runOf('sales/b.csv', 'test');
    await rt.land('sales/b.csv', 'date,country,cases\n2024-01-02,DEU,5\n');
    expect(await devB).toMatchObject({ status: 'succeeded', environment: 'dev' });
    expect(await testB).toMatchObject({ status: 'succeeded', environment: 'test' });
    expect(errors()).toEqual([]);
  });

  it('runs a file that grew after its run over the appended lines only (issue 14.13)', async () => {
    const { rt } = await setUp([contract('sales')]);
    const rows = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => `2024-01-01,C${from + i},${from + i}\n`).join('');
    const first = runOf('sales/log.csv');
    await rt.land('sales/log.csv', 'date,country,cases\n' + rows(0, 3000));
    expect((await first).counts).toMatchObject({ read: 3000, written: 3000 });

    const second = runOf('sales/log.csv');
    await appendFile(join(rt.config.landingDir, 'sales/log.csv'), rows(3000, 3000));

    expect((await second).counts).toMatchObject({ read: 3000, written: 3000, rejected: 0 });
    expect(await countRows(rt, T.featureRows)).toBe(6000);
    expect(errors()).toEqual([]);
  });

  it('refuses a file rewritten after its run, with a warning naming it, and does not retry it', async () => {
    const { rt } = await setUp([contract('sales')]);
    const first = runOf('sales/a.csv');
    await rt.land('sales/a.csv', CSV);
    await first;

    const refused = outcomeOf('sales/a.csv');
    await writeFile(join(rt.config.landingDir, 'sales/a.csv'), CSV.replace(',1\n', ',100\n'));

    expect(await refused).toMatchObject({
      kind: 'refused',
      reason: expect.stringMatching(/^landing file 'sales\/a\.csv' changed after it was ingested/),
    });
    expect(errors()).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'run refused',
        file: 'sales/a.csv',
        reason: expect.stringMatching(/its first 53 bytes, already ingested, are not what was read then/),
      }),
    ]);
    expect(lines.some((l) => l.msg === 'arrival trigger failed; retrying')).toBe(false);
    expect(await allRuns()).toHaveLength(1);
    expect(await countRows(rt, T.featureRows)).toBe(2);
  });
});
