/**
 * `tidemark training-set`: a multi-view training set for a CSV or Parquet spine (by its
 * extension), written to a CSV, Arrow IPC or Parquet file (by its extension or
 * `--format`), from the local store or from a server (`--url`/`--key`, or
 * TIDEMARK_URL/TIDEMARK_API_KEY; POST /v1/training-set). The file appears only whole:
 * it is written beside its name and renamed at the end, and removed on any failure.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { loadConfig, parseEnvironment } from '../config';
import { InputError } from '../errors';
import { BULK_LIMITS, PARQUET } from '../serving/training-set.route';
import {
  streamTrainingSet,
  TRAINING_FORMATS,
  type SpineInput,
  type TrainingFormat,
} from '../serving/training-set.stream';
import type { ViewRequest } from '../serving/multi-view';
import { command, withRuntime } from './run-command';
import { remoteFrom, remoteTrainingSet } from './remote';
import { parseTime } from './time';

interface Options {
  spine: string;
  out: string;
  features: string;
  knownAt?: string;
  ttl?: string[];
  keyMap?: string[];
  timestampColumn: string;
  fullFeatureNames?: boolean;
  env?: string;
  format?: string;
  url?: string;
  key?: string;
}

export function trainingSetCommand(): Command {
  return new Command('training-set')
    .description(
      'Write a point-in-time training set over one or more contracts for a CSV or Parquet spine (CSV, Arrow or Parquet)',
    )
    .requiredOption(
      '--spine <file>',
      "spine: .csv or .parquet, the entity key columns and a timestamp column ('-': CSV on stdin)",
    )
    .requiredOption('--out <file>', 'output file: .csv, .arrow (Arrow IPC stream) or .parquet')
    .requiredOption('--features <refs>', 'comma-separated contract:feature (contract:* for all of one)')
    .option('--known-at <time>', 'as the store knew it at this system time (ISO-8601)')
    .option('--ttl <contract=duration...>', 'ignore values older than this per contract (e.g. cases=P7D)')
    .option('--key-map <contract.column=spine...>', 'read a contract key column from another spine column')
    .option('--timestamp-column <name>', 'the spine column holding each row time', 'timestamp')
    .option('--full-feature-names', 'name output columns contract__feature')
    .option('--env <environment>')
    .option('--format <format>', 'csv, arrow or parquet (default: from the --out extension)')
    .option('--url <url>', 'a Tidemark server to ask (default TIDEMARK_URL; none: the local store)')
    .option('--key <key>', 'API key for --url (default TIDEMARK_API_KEY)')
    .action(command(async (opts: Options) => run(opts)));
}

async function run(opts: Options): Promise<void> {
  const format = outputFormat(opts.format, opts.out);
  const remote = remoteFrom({ url: opts.url, key: opts.key });
  const refs = opts.features
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const views = new Map<string, ViewRequest>();
  const view = (contract: string) => {
    let v = views.get(contract);
    if (!v) views.set(contract, (v = { contract }));
    return v;
  };
  for (const ref of refs) if (ref.indexOf(':') > 0) view(ref.slice(0, ref.indexOf(':')));
  for (const t of opts.ttl ?? []) {
    const [contract, ttl] = pair(t, '=', '--ttl', 'contract=duration');
    view(contract).ttl = ttl;
  }
  for (const m of opts.keyMap ?? []) {
    const [target, spineColumn] = pair(m, '=', '--key-map', 'contract.column=spine_column');
    const [contract, column] = pair(target, '.', '--key-map', 'contract.column=spine_column');
    const v = view(contract);
    v.keyMap = { ...v.keyMap, [column]: spineColumn };
  }
  const parquetSpine = opts.spine.endsWith('.parquet');
  const spine = (): Readable => (opts.spine === '-' ? process.stdin : createReadStream(opts.spine));
  const partial = `${opts.out}.partial`;
  const file = createWriteStream(partial);
  const open = once(file, 'open');
  open.catch(() => undefined);
  try {
    await open;
    if (remote) {
      const params = new URLSearchParams();
      params.set('features', refs.join(','));
      params.set('timestamp', opts.timestampColumn);
      params.set('format', format);
      if (opts.knownAt) params.set('knownAt', parseTime(opts.knownAt, '--known-at').toISOString());
      if (opts.env) params.set('environment', parseEnvironment(opts.env, '--env'));
      if (opts.fullFeatureNames) params.set('fullFeatureNames', 'true');
      for (const v of views.values()) {
        if (v.ttl) params.set(`ttl.${v.contract}`, v.ttl);
        for (const [col, from] of Object.entries(v.keyMap ?? {}))
          params.set(`key.${v.contract}.${col}`, from);
      }
      const res = await remoteTrainingSet(
        remote,
        params,
        await readable(spine),
        parquetSpine ? PARQUET : 'text/csv',
      );
      try {
        for await (const chunk of Readable.fromWeb(res.body! as never))
          await write(file, chunk as Uint8Array);
      } catch (err) {
        throw new InputError(
          `the server cut the answer off (a bad spine row after the first rows?): ${(err as Error).message}`,
        );
      }
    } else {
      const config = loadConfig();
      const environment = opts.env ? parseEnvironment(opts.env, '--env') : config.defaultEnvironment;
      const stream = await readable(spine);
      // A Parquet spine is read from its file (its footer comes last); CSV from the open stream.
      const input: SpineInput =
        parquetSpine && stream !== process.stdin ? { parquet: opts.spine } : { csv: stream };
      if ('parquet' in input) stream.destroy();
      await withRuntime(async (rt) => {
        const plan = await rt.features.planTrainingSet({
          features: refs.filter((r) => !r.endsWith(':*')),
          views: [...views.values()],
          knownAt: opts.knownAt ? parseTime(opts.knownAt, '--known-at') : undefined,
          fullFeatureNames: !!opts.fullFeatureNames,
          environment,
        });
        await streamTrainingSet(
          rt.features.bulkJoin(plan, config.trainingCacheBytes),
          plan,
          input,
          { format, timestampColumn: opts.timestampColumn, ...BULK_LIMITS },
          { start: async () => undefined, write: (chunk) => write(file, chunk) },
        );
      }, config);
    }
    file.end();
    await once(file, 'close');
    await rename(partial, opts.out);
    process.stderr.write(`wrote ${opts.out}\n`);
  } catch (err) {
    file.destroy();
    await rm(partial, { force: true });
    throw err;
  }
}

/** The spine stream once it is open, so a missing file is one clear error before any work. */
async function readable(make: () => Readable): Promise<Readable> {
  const s = make();
  if (s === process.stdin) return s;
  try {
    await once(s, 'open');
  } catch (err) {
    throw new InputError(
      `--spine: cannot read ${(s as unknown as { path: string }).path}: ${(err as Error).message}`,
    );
  }
  return s;
}

async function write(file: WriteStream, chunk: string | Uint8Array): Promise<void> {
  if (!file.write(chunk)) await once(file, 'drain');
}

function outputFormat(format: string | undefined, out: string): TrainingFormat {
  if (format !== undefined) {
    if ((TRAINING_FORMATS as readonly string[]).includes(format)) return format as TrainingFormat;
    throw new InputError(`--format '${format}' is not one of ${TRAINING_FORMATS.join(', ')}`);
  }
  if (out.endsWith('.csv')) return 'csv';
  if (out.endsWith('.arrow') || out.endsWith('.arrows')) return 'arrow';
  if (out.endsWith('.parquet')) return 'parquet';
  throw new InputError(`--out ${out}: name a .csv, .arrow or .parquet file, or give --format`);
}

function pair(s: string, sep: string, flag: string, shape: string): [string, string] {
  const at = s.indexOf(sep);
  if (at <= 0 || at === s.length - 1) throw new InputError(`${flag} '${s}' is not ${shape}`);
  return [s.slice(0, at), s.slice(at + 1)];
}
