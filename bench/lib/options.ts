/** Command-line options of `npm run bench`. */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';

export const CASES = [
  'ingest',
  'training',
  'training-bulk',
  'online',
  'online-redis',
  'underload',
  'events',
  'daily',
  'growth',
  'console',
  'profile',
] as const;
export type CaseName = (typeof CASES)[number];

export interface BenchOptions {
  /**
   * 1 = the sizes (1M-row CSV, 1M feature rows, 100k training rows, 1,000 subscribers, 10k-row daily file).
   * The growth case compares the --scale store (10 = 10M feature rows over 100,000 entities) with 1×.
   */
  scale: number;
  seed: number;
  /** Repetitions per subject (median); the slow ones stop early after their time budget. */
  reps: number;
  only: CaseName[];
  /** Engines for the training set and daily cases. */
  engines: Array<'sqlite' | 'postgres'>;
  pgUrl: string;
  /** Write CPU profiles of the Tidemark side here (an extra, unmeasured repetition). */
  profileDir: string | null;
  outDir: string;
  /** Generated inputs, kept between runs (keyed by scale and seed). */
  dataDir: string;
}

const HELP = `npm run bench -- [options]
  --scale N       fraction of the full sizes (default 1; e.g. 0.1 for a quick pass)
  --only LIST     comma-separated cases: ${CASES.join(',')} (default all but growth and profile)
  --reps N        repetitions per measurement, median reported (default 3)
  --engines LIST  training set, daily and console engines: sqlite,postgres (default both)
  --pg URL        PostgreSQL server (default $BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
  --seed N        data generator seed (default 42)
  --profile       also write CPU profiles of the Tidemark side to bench/out/profiles/
  --out DIR       results directory (default bench/out)`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string', default: '1' },
      only: { type: 'string' },
      reps: { type: 'string', default: '3' },
      engines: { type: 'string', default: 'sqlite,postgres' },
      pg: { type: 'string' },
      seed: { type: 'string', default: '42' },
      profile: { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/out' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const scale = positive(values.scale!, 'scale');
  const only = (
    values.only ? values.only.split(',') : CASES.filter((c) => c !== 'growth' && c !== 'profile')
  ).map((c) => c.trim()) as CaseName[];
  const bad = only.filter((c) => !(CASES as readonly string[]).includes(c));
  if (bad.length) throw new Error(`unknown case(s) ${bad.join(', ')}; known: ${CASES.join(', ')}\n\n${HELP}`);
  const engines = values.engines!.split(',').map((e) => e.trim()) as BenchOptions['engines'];
  if (engines.some((e) => e !== 'sqlite' && e !== 'postgres'))
    throw new Error(`--engines takes sqlite and/or postgres`);
  const outDir = resolve(values.out!);
  return {
    scale,
    seed: Math.trunc(positive(values.seed!, 'seed')),
    reps: Math.max(1, Math.trunc(positive(values.reps!, 'reps'))),
    only,
    engines,
    pgUrl: values.pg ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    profileDir: values.profile ? join(outDir, 'profiles') : null,
    outDir,
    dataDir: join(outDir, 'data'),
  };
}

function positive(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got '${v}'`);
  return n;
}

/** A size scaled by --scale, never below `min`. */
export function scaled(full: number, o: BenchOptions, min = 1): number {
  return Math.max(min, Math.round(full * o.scale));
}
