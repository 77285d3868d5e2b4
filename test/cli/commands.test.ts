/**
 * Every command of `tidemark --help` runs once, as a user runs it (node
 * bin/tidemark.js in a child process), against a real store in a temporary data
 * directory: exit code and output checked, and one wrong input per command. The
 * commands build on each other (apply, run, inspect, …), so the steps run in order.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, walkCommands } from '../../src/cli/program';
import { createCliHome, REPO, type CliHome } from '../support/cli';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const lines = (s: string) => s.trimEnd().split('\n');
const runId = (s: string) => /\b(run_\w+)/.exec(s)![1]!;

/** What `tidemark <path> --help` prints, without a process. */
function helpOf(path: string[]): string {
  let cmd = buildProgram();
  for (const name of path) cmd = cmd.commands.find((c) => c.name() === name)!;
  return cmd.helpInformation();
}

describe('every tidemark command against a real store', { timeout: 180_000 }, () => {
  let home: CliHome;
  const cli = (...args: string[]) => home.cli(args);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const refused = async (args: string[], stderr: RegExp, code = 1) => {
    const r = await cli(...args);
    expect(r.stderr).toMatch(stderr);
    expect(r.code).toBe(code);
  };
  const tested = new Set<string>();
  const covers = (...paths: string[]) => paths.forEach((p) => tested.add(p));
  let first: string;
  let forced: string;

  beforeAll(async () => void (home = await createCliHome()));
  afterAll(() => home.dispose());

  it('--help lists every command, each of which has --help; --version prints the version', async () => {
    const help = await ok('--help');
    const leaves = walkCommands(buildProgram()).map((c) => c.path.join(' '));
    for (const top of new Set(leaves.map((p) => p.split(' ')[0]!))) expect(help).toContain(`  ${top}`);
    // One process per command would take minutes on a busy machine: the nested ones spawn, the rest in-process.
    expect(await ok('keys', 'create', '--help')).toContain('Usage: tidemark keys create [options]');
    for (const path of leaves) expect(helpOf(path.split(' '))).toContain(`Usage: tidemark ${path}`);
    expect(await ok('--version')).toMatch(/^\d+\.\d+\.\d+\n$/);
    await refused(['frobnicate'], /unknown command 'frobnicate'/);
  });

  it('migrate applies the migrations and lists them', async () => {
    covers('migrate');
    const out = lines(await ok('migrate'));
    expect(out.length).toBeGreaterThan(3);
    expect(out.every((l) => /^applied {2}\d{14}_\w+$/.test(l))).toBe(true);
  });

  it('contracts lint prints ok per good file, and still does when another file fails', async () => {
    covers('contracts lint');
    expect(lines(await ok('contracts', 'lint'))).toEqual([
      `ok  ${join(home.contractsDir, 'card_transactions.yaml')}  card_transactions@1.0.0`,
      `ok  ${join(home.contractsDir, 'country_daily.yaml')}  country_daily@1.0.0`,
    ]);
    const bad = join(home.dataDir, '..', 'bad.yaml');
    writeFileSync(bad, 'name: bad\nversion: one\n');
    const good = join(home.contractsDir, 'country_daily.yaml');
    const r = await cli('contracts', 'lint', good, bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`ok  ${good}  country_daily@1.0.0\n`);
    expect(r.stderr).toContain(bad);
  });

  it('contracts apply registers all, then finds them unchanged', async () => {
    covers('contracts apply');
    expect(lines(await ok('contracts', 'apply'))).toEqual([
      'registered  card_transactions@1.0.0',
      'registered  country_daily@1.0.0',
    ]);
    expect(lines(await ok('contracts', 'apply'))).toEqual([
      'unchanged   card_transactions@1.0.0',
      'unchanged   country_daily@1.0.0',
    ]);
    await refused(['contracts', 'apply', '/nonexistent/x.yaml'], /\/nonexistent\/x\.yaml.*cannot read/);
  });

  it('contracts list prints a header and one line per version; --json the same rows', async () => {
    covers('contracts list');
    const out = lines(await ok('contracts', 'list'));
    expect(out[0]).toMatch(/^CONTRACT\s+VERSION\s+OWNER\s+HASH\s+ACTIVE IN$/);
    expect(out.slice(1).map((l) => l.split(/\s+/).filter((_, i) => i !== 3))).toEqual([
      ['card_transactions', '1.0.0', 'payments-risk', 'dev'],
      ['country_daily', '1.0.0', 'epidemiology', 'dev'],
    ]);
    const json = JSON.parse(await ok('contracts', 'list', '--json'));
    expect(json[1]).toMatchObject({ name: 'country_daily', version: '1.0.0', active: ['dev'] });
    await refused(['contracts', 'list', '--env', 'qa'], /--env must be one of dev, test, prod; got 'qa'/);
  });

  it('schema print prints the served schema: the static part and a typed view per active major', async () => {
    covers('schema print');
    const sdl = await ok('schema', 'print');
    expect(sdl).toContain(readFileSync(join(REPO, 'schema.graphql'), 'utf8').split('\n')[0]);
    expect(sdl).toContain('  featureView: FeatureView!\n');
    expect(sdl).toMatch(/type FeatureView \{[^}]*\n {2}card_transactions_v1\(/);
    expect(sdl).toMatch(/\n {2}country_daily_v1\(\n[^)]*entities: \[JSON!\]!/);
    const start = sdl.indexOf('type CountryDailyV1 {');
    const view = sdl.slice(start, sdl.indexOf('\n}\n', start));
    expect(view).toContain('\n  """column confirmed (int)"""\n  confirmed: SafeInt\n');
    expect(view).toContain('\n  """expression: deaths / confirmed (float)"""\n  fatality: Float\n');
    // Everything of the static schema is there too.
    expect(sdl).toContain('  trainingSet(');
  });

  it('run runs the new files, refuses nothing new naming --force, and --force runs them again', async () => {
    covers('run');
    home.land('country_daily/2020-q1.csv');
    const out = await ok('run', 'country_daily');
    first = runId(out);
    expect(lines(out)[0]).toMatch(
      /country_daily@1\.0\.0 {2}dev {2}manual +SUCCEEDED +read=2160 written=2150 rejected=10$/,
    );
    await refused(
      ['run', 'country_daily'],
      /^error: nothing new to run for country_daily: 1 file\(s\) already ingested in dev \(same sha256\); to run them again use --force/,
    );
    const again = await ok('run', 'country_daily', '--force');
    expect(again).toMatch(/manual +SUCCEEDED +read=2160/);
    forced = runId(again);
    await refused(['run', 'nope'], /^error: contract 'nope' is not registered/);
  });

  it('runs lists newest first; --json has ISO times and GraphQL status names', async () => {
    covers('runs');
    expect(lines(await ok('runs'))).toHaveLength(2);
    const json = JSON.parse(await ok('runs', '--json', '--status', 'SUCCEEDED', '--limit', '1'));
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ status: 'SUCCEEDED', trigger: 'manual' });
    for (const k of ['queuedAt', 'startedAt', 'finishedAt', 'committedAt']) expect(json[0][k]).toMatch(ISO);
    expect(JSON.parse(await ok('runs', '--json', '--status', 'rolled_back'))).toEqual([]);
    await refused(['runs', '--status', 'done'], /expected one of QUEUED, RUNNING, SUCCEEDED/);
  });

  it('inspect shows counts, report and rejects; --json the same with ISO times', async () => {
    covers('inspect');
    const out = await ok('inspect', first);
    expect(out).toContain('  rejects (10):\n    row 137 (2020-q1.csv): country must match pattern');
    const json = JSON.parse(await ok('inspect', first, '--json'));
    expect(json).toMatchObject({ id: first, status: 'SUCCEEDED', rejects: { totalCount: 10 } });
    expect(json.queuedAt).toMatch(ISO);
    await refused(['inspect', 'run_nope'], /^error: run 'run_nope' does not exist\n$/);
  });

  it('features reads vectors as of a date; --version and --contract-version pick the version', async () => {
    covers('features');
    const args = ['features', 'country_daily', '--entity', 'DEU', '--as-of', '2020-03-15'];
    const [v] = JSON.parse(await ok(...args));
    expect(v).toMatchObject({
      entity: 'DEU',
      timestamp: '2020-03-15T00:00:00.000Z',
      eventTime: '2020-03-15T00:00:00.000Z',
      values: { confirmed: 9633, new_cases: 837 },
      contractVersion: '1.0.0',
    });
    expect(JSON.parse(await ok(...args, '--version', '1.0.0'))).toEqual([v]);
    expect(JSON.parse(await ok(...args, '--contract-version', '1'))).toEqual([v]);
    await refused([...args, '--version', '2.0.0'], /country_daily.*2\.0\.0/);
    for (const bad of ['soon', '2020-02-30', '15/03/2020'])
      await refused(
        ['features', 'country_daily', '--entity', 'DEU', '--as-of', bad],
        new RegExp(
          `--as-of '${bad}' is neither a date-time \\(2020-03-15T12:00:00Z\\) nor a date \\(2020-03-15\\)`,
        ),
      );
  });

  it('training-set writes a point-in-time training set for a CSV spine, whole or not at all', async () => {
    covers('training-set');
    const spine = join(home.dataDir, 'spine.csv');
    writeFileSync(spine, 'country,timestamp\nDEU,2020-03-15\nFRA,2020-01-01\nDEU,2020-03-15T12:00:00Z\n');
    const out = join(home.dataDir, 'ts.csv');
    const args = [
      'training-set',
      '--spine',
      spine,
      '--out',
      out,
      '--features',
      'country_daily:confirmed,country_daily:new_cases',
    ];
    const r = await cli(...args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`wrote ${out}\n`);
    expect(readFileSync(out, 'utf8')).toBe(
      'country,timestamp,confirmed,new_cases\n' +
        'DEU,2020-03-15T00:00:00.000Z,9633,837\n' +
        'FRA,2020-01-01T00:00:00.000Z,,\n' +
        'DEU,2020-03-15T12:00:00.000Z,9633,837\n',
    );
    const arrow = join(home.dataDir, 'ts.arrow');
    expect((await cli(...args.slice(0, 4), arrow, ...args.slice(5))).code).toBe(0);
    const confirmed = tableFromIPC(readFileSync(arrow)).getChild('confirmed')!;
    expect([0, 1, 2].map((i) => confirmed.get(i))).toEqual([9633n, null, 9633n]);
    writeFileSync(spine, 'country,timestamp\nDEU,2020-03-15\nFRA,when\n');
    const bad = join(home.dataDir, 'bad.csv');
    await refused(
      [...args.slice(0, 4), bad, ...args.slice(5)],
      /^error: spine row 2 \(line 3\): timestamp: /,
    );
    expect(existsSync(bad) || existsSync(`${bad}.partial`)).toBe(false);
    await refused(
      [...args.slice(0, 4), 'x.orc', ...args.slice(5)],
      /--out x\.orc: name a \.csv, \.arrow or \.parquet file/,
    );
    await refused([...args, '--format', 'orc'], /--format 'orc' is not one of csv, arrow, parquet/);
    await refused([...args, '--key', 'tmk_x'], /--key needs --url \(or TIDEMARK_URL\)/);
  });

  it('training-set reads a Parquet spine and writes Parquet, by extension or --format', async () => {
    const spine = join(home.dataDir, 'spine.parquet');
    writeFileSync(
      spine,
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [
            { name: 'country', data: ['DEU', 'FRA', 'DEU'], type: 'STRING' },
            {
              name: 'timestamp',
              data: ['2020-03-15', '2020-01-01', '2020-03-15T12:00:00Z'].map((t) => new Date(t)),
              type: 'TIMESTAMP',
            },
          ],
        }),
      ),
    );
    const base = ['training-set', '--spine', spine, '--features', 'country_daily:confirmed'];
    for (const [out, extra] of [
      [join(home.dataDir, 'ts.parquet'), []],
      [join(home.dataDir, 'ts.bin'), ['--format', 'parquet']],
    ] as const) {
      const r = await cli(...base, '--out', out, ...extra);
      expect(r.code, r.stderr).toBe(0);
      const bytes = readFileSync(out);
      const rows = await parquetReadObjects({
        file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      });
      expect(rows.map((x) => [x.country, (x.timestamp as Date).toISOString(), x.confirmed])).toEqual([
        ['DEU', '2020-03-15T00:00:00.000Z', 9633n],
        ['FRA', '2020-01-01T00:00:00.000Z', null],
        ['DEU', '2020-03-15T12:00:00.000Z', 9633n],
      ]);
    }
    const csv = join(home.dataDir, 'from-parquet.csv');
    expect((await cli(...base, '--out', csv)).code).toBe(0);
    expect(readFileSync(csv, 'utf8')).toBe(
      'country,timestamp,confirmed\n' +
        'DEU,2020-03-15T00:00:00.000Z,9633\n' +
        'FRA,2020-01-01T00:00:00.000Z,\n' +
        'DEU,2020-03-15T12:00:00.000Z,9633\n',
    );
    writeFileSync(spine, 'country,timestamp\n');
    await refused(
      [...base, '--out', join(home.dataDir, 'no.parquet')],
      /^error: the spine is not a valid Parquet file/,
    );
  });

  it('reprocess runs the kept raw batches again and supersedes the run', async () => {
    covers('reprocess');
    const out = await ok('reprocess', first);
    expect(lines(out)[0]).toMatch(/reprocess +SUCCEEDED +read=2160 written=2150/);
    expect(out).toContain(`parent ${first}`);
    await refused(
      ['reprocess', first, '--contract-version', 'x'],
      /contractVersion must be a semantic version/,
    );
  });

  it('rollback hides a run; a second rollback is refused', async () => {
    covers('rollback');
    expect(await ok('rollback', forced)).toMatch(new RegExp(`^${forced} .* ROLLED_BACK `));
    await refused(['rollback', forced], /run \w+ is rolled_back/);
  });

  it('contracts promote moves a version up; an unknown environment is refused', async () => {
    covers('contracts promote');
    expect(await ok('contracts', 'promote', 'country_daily', '1.0.0', '--to', 'test')).toBe(
      'promoted  country_daily@1.0.0  dev → test\n',
    );
    await refused(
      ['contracts', 'promote', 'card_transactions', '1.0.0', '--to', 'test'],
      /card_transactions@1\.0\.0 has no succeeded run in dev; run it there first/,
    );
  });

  it('contracts export writes ODCS from the store; contracts import reads it back', async () => {
    // Both in depth (refusals, files, the round trip): test/cli/contracts-odcs.test.ts.
    covers('contracts export', 'contracts import');
    const odcs = await ok('contracts', 'export', 'country_daily', '--format', 'odcs');
    expect(odcs).toMatch(/^apiVersion: v3\.1\.0\nkind: DataContract\nid: country_daily\n/);
    const file = join(home.dataDir, 'country_daily.odcs.yaml');
    writeFileSync(file, odcs);
    expect(await ok('contracts', 'import', file)).toMatch(/^name: country_daily\nversion: 1\.0\.0\n/);
  });

  it('contracts check compares with a git ref and passes when nothing changed', async () => {
    covers('contracts check');
    const out = await ok('contracts', 'check', '--base', 'HEAD', '--repo', REPO, '--format', 'json');
    expect(JSON.parse(out)).toMatchObject({ ok: true });
    await refused(['contracts', 'check', '--base', 'no-such-ref', '--repo', REPO], /no-such-ref/);
  });

  it('contracts plan replays the last runs through a proposed version; --json the same; bad YAML names its line', async () => {
    covers('contracts plan');
    const proposed = readFileSync(join(home.contractsDir, 'country_daily.yaml'), 'utf8')
      .replace('version: 1.0.0', 'version: 1.1.0')
      .replace("'deaths / confirmed'", "'deaths / (confirmed + 1)'");
    const file = join(home.dataDir, 'proposed.yaml');
    writeFileSync(file, proposed);
    // The one visible run: the reprocess of the first (the forced run is rolled back).
    const out = await ok('contracts', 'plan', file, '--runs', '3');
    expect(out).toMatch(/^plan {2}country_daily@1\.1\.0 against 1\.0\.0 \(active\) in dev\n/);
    expect(out).toContain('replayed 1 run(s), 2160 row(s) read from their kept raw batches; nothing written');
    expect(out).toMatch(/\n {2}fatality +\d+ of 2150 rows change, max \|diff\| /);
    expect(out).toContain(
      "fatality: definition changed: expr 'deaths / confirmed' → expr 'deaths / (confirmed + 1)'",
    );
    const json = JSON.parse(await ok('contracts', 'plan', file, '--json', '--env', 'dev'));
    expect(json).toMatchObject({ contract: 'country_daily', activeVersion: '1.0.0', newlyRejected: [] });
    expect(json.runs[0].committedAt).toMatch(ISO);
    writeFileSync(file, 'name: country_daily\n  version: 1.1.0\n');
    await refused(['contracts', 'plan', file], /^error: .*proposed\.yaml:2:3 \/: wrong indentation/);
    await refused(['contracts', 'plan', file, '--runs', '51'], /runs must be a whole number from 1 to 50/);
  });

  it('audit lists who did what; --json with ISO times', async () => {
    covers('audit');
    expect(await ok('audit', '--kind', 'contract', '--limit', '3')).toMatch(
      /cli:\S+ {2}contract\.promote {2}contract:country_daily@1\.0\.0 {2}\[test\]/,
    );
    const entries = JSON.parse(await ok('audit', '--json', '--kind', 'run', '--target', forced));
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry).toMatchObject({
      action: 'run.rollback',
      targetId: forced,
      after: { status: 'ROLLED_BACK' },
    });
    expect(entry.at).toMatch(ISO);
    expect(entry.after.invalidatedAt).toMatch(ISO);
  });

  it('keys create, list, revoke and bootstrap', async () => {
    covers('keys create', 'keys list', 'keys revoke', 'keys bootstrap');
    const r = await cli('keys', 'create', '--owner', 'alice', '--role', 'reader');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tmk_[^_\s]+_\S+\n$/);
    const id = /^tmk_([^_]+)_/.exec(r.stdout)![1]!;
    expect(await ok('keys', 'list')).toMatch(new RegExp(`^${id} {2}alice {2}reader {2}active`));
    expect(JSON.parse(await ok('keys', 'list', '--json'))[0].createdAt).toMatch(ISO);
    expect(await ok('keys', 'revoke', id)).toBe(`revoked  ${id}  alice\n`);
    const boot = lines(await ok('keys', 'bootstrap'));
    expect(boot).toHaveLength(2);
    expect(boot[0]).toMatch(/^tmk_\S+$/);
    expect(boot[1]).toMatch(/^TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH=\S+:[0-9a-f]{64}$/);
    await refused(
      ['keys', 'create', '--owner', 'bob', '--role', 'root'],
      /Allowed choices are reader, writer, admin/,
    );
  });

  it('vacuum rewrites the SQLite store whole; on PostgreSQL it says why not; a missing store is named', async () => {
    covers('vacuum');
    if (home.env.DATABASE_URL) {
      await refused(['vacuum'], /vacuum rewrites the embedded SQLite store; this deployment uses PostgreSQL/);
      return;
    }
    const before = await ok('features', 'country_daily', '--entity', 'DEU', '--as-of', '2020-03-15');
    const r = await cli('vacuum');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^vacuuming .*tidemark\.sqlite \(\d+\.\d MB in 32768-byte pages\) …\n$/);
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^vacuumed .*tidemark\.sqlite in \d+\.\d s$/);
    expect(out[1]).toBe('page size  32768 → 32768 bytes');
    expect(out[2]).toMatch(/^size {7}\d+\.\d MB → \d+\.\d MB$/);
    expect(await ok('features', 'country_daily', '--entity', 'DEU', '--as-of', '2020-03-15')).toBe(before);
    const missing = await home.cli(['vacuum'], {
      env: { TIDEMARK_DATA_DIR: join(home.dataDir, '..', 'no-store') },
    });
    expect(missing.stderr).toMatch(/^error: no SQLite store at .*no-store\/tidemark\.sqlite\n$/);
    expect(missing.code).toBe(1);
  });

  it('works from another working directory', async () => {
    const r = await home.cli(['contracts', 'list'], { cwd: '/' });
    expect(r.code, r.stderr).toBe(0);
  });

  it('covered every command but serve (test/cli/serve.test.ts)', () => {
    const leaves = walkCommands(buildProgram())
      .filter((c) => c.cmd.commands.length === 0)
      .map((c) => c.path.join(' '));
    expect(leaves.filter((p) => !tested.has(p))).toEqual(['serve']);
  });
});
