/**
 * Reads under load: online reads (1 entity × 20 features) at 8 connections and a
 * `/healthz` probe against Tidemark, first quiet, then while a 1,000,000-row ingest
 * runs in the same deployment: one process (`serve`, role all) that runs it on its run
 * thread, and an api process that queues it for a worker process on the same SQLite
 * file. The quiet phase is the baseline; the ratio says how much a run stalls the API
 * (issue 15: read p99 < 10 ms, /healthz p99 < 50 ms). A third leg gives the floor: the
 * online case's bare node:http + SQL endpoint answering the same reads while a worker
 * process runs the same ingest.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from '../lib/options';
import { scaled } from '../lib/options';
import { startWorker, type Worker } from '../lib/child';
import { cached } from '../lib/cache';
import { load } from '../lib/load';
import { measure, row, target, type CaseResult } from '../lib/result';
import { int, rng } from '../lib/rng';
import { percentile } from '../lib/stats';
import { entityName } from '../data/feature-data';
import { sqliteFeatureStore } from '../data/feature-store';
import { writeIngestCsv } from '../data/ingest-data';

const QUERY =
  'query($e: [JSON!]!) { features(contract: "bench_features", entities: $e) { entity eventTime values } }';
const CONNECTIONS = 8;
/** Requests per load burst: short bursts, so the during-phase stops soon after the run ends. */
const BURST = 400;

interface Phase {
  reads: number[];
  healthz: number[];
  seconds: number;
}

/**
 * How the deployment runs: one `serve` (role all), or `serve --role api` + `serve --role
 * worker`; `bare` is the floor: the online case's bare node:http + SQL endpoint answers
 * the reads (no GraphQL, no framework) while a worker process runs the same ingest.
 */
type Deployment = 'all' | 'split' | 'bare';

interface Leg {
  quiet: Phase;
  during: Phase;
  ingestMs: number;
  /** The serving process's event-loop delay in each phase. */
  apiEventLoopDelayMs: { quiet: LoopDelay; during: LoopDelay };
  /** The machine's 1-minute load average at the end of each phase (other work included). */
  loadAverage: { quiet: number; during: number };
}

interface LoopDelay {
  p99: number;
  max: number;
}

export async function underLoadCase(o: BenchOptions): Promise<CaseResult> {
  const entities = scaled(10_000, o, 10);
  const { dir: store } = await sqliteFeatureStore(o.dataDir, entities, o.seed, o.pgUrl);
  const rows = scaled(1_000_000, o, 1_000);
  const csv = await cached(o.dataDir, `ingest-${rows}-s${o.seed}.csv`, (p) =>
    writeIngestCsv(p, rows, o.seed),
  );
  const legs: Record<Deployment, Leg> = {
    all: await leg(o, 'all', store, csv, entities),
    split: await leg(o, 'split', store, csv, entities),
    bare: await leg(o, 'bare', store, csv, entities),
  };
  const p99 = (xs: number[]) => measure([percentile(xs, 99)], 'ms', 'lower');
  const label: Record<Deployment, string> = {
    all: 'one serve (role all)',
    split: 'api + worker',
    bare: 'bare node:http + SQL, run on a worker',
  };
  const size = `${rows.toLocaleString('en')}-row ingest`;
  const out: CaseResult['rows'] = [];
  for (const d of ['all', 'split', 'bare'] as const) {
    const { quiet, during } = legs[d];
    const read = p99(during.reads);
    out.push(
      row(
        'underload',
        `${label[d]}: 1 ent × 20 f, ${CONNECTIONS} conn, during a ${size}: read p99`,
        read,
        { name: 'same reads, no run', m: p99(quiet.reads) },
        // The bare endpoint is the floor the targets are read against, not held to them.
        d === 'bare' ? undefined : target('< 10 ms', read.median < 10),
      ),
    );
    if (d === 'bare') continue;
    const hz = p99(during.healthz);
    out.push(
      row(
        'underload',
        `${label[d]}: /healthz p99 during the ingest`,
        hz,
        { name: '/healthz, no run', m: p99(quiet.healthz) },
        target('< 50 ms', hz.median < 50),
      ),
    );
  }
  const details = (l: Leg) => ({
    ingestMs: l.ingestMs,
    apiEventLoopDelayMs: l.apiEventLoopDelayMs,
    loadAverage: l.loadAverage,
    quiet: summary(l.quiet),
    during: summary(l.during),
  });
  return {
    case: 'underload',
    rows: out,
    details: { rows, all: details(legs.all), split: details(legs.split), bare: details(legs.bare) },
  };
}

/**
 * One deployment over its own copy of the store (the run writes into it, and the cached
 * one stays as built): the quiet phase, then the same reads while the ingest runs.
 */
async function leg(
  o: BenchOptions,
  d: Deployment,
  store: string,
  csv: string,
  entities: number,
): Promise<Leg> {
  const work = mkdtempSync(join(tmpdir(), 'tidemark-underload-'));
  cpSync(store, work, { recursive: true });
  // The process the ingest is asked of: it runs it (all) or queues it for the worker.
  const api = await startWorker('mixed-server.ts', [
    '--dataDir',
    work,
    '--role',
    d === 'all' ? 'all' : 'api',
  ]);
  let worker: Worker | null = null;
  let bare: Worker | null = null;
  try {
    let { port } = await api.next<{ port: number }>('ready');
    if (d !== 'all') {
      worker = await startWorker('mixed-server.ts', ['--dataDir', work, '--role', 'worker']);
      await worker.next('ready');
    }
    if (d === 'bare') {
      bare = await startWorker('online-server.ts', ['--dataDir', work, '--mode', 'bare']);
      ({ port } = await bare.next<{ port: number }>('ready'));
    }
    const base = `http://127.0.0.1:${port}`;
    const r = rng(o.seed);
    const e = () => [entityName(int(r, entities))];
    const reads: Reads =
      d === 'bare'
        ? { url: base, body: () => JSON.stringify({ entities: e() }), healthz: null }
        : {
            url: `${base}/graphql`,
            body: () => JSON.stringify({ query: QUERY, variables: { e: e() } }),
            healthz: `${base}/healthz`,
          };
    await load({
      url: reads.url,
      connections: CONNECTIONS,
      amount: scaled(20_000, o, 500),
      body: reads.body,
    });
    const quietSeconds = Math.max(3, Math.round(10 * Math.min(1, o.scale)));
    const quietUntil = performance.now() + quietSeconds * 1000;
    api.send({ type: 'loop' });
    await api.next('loop'); // from here on: the quiet phase's delay
    const quiet = await phase(reads, () => performance.now() >= quietUntil);
    api.send({ type: 'loop' });
    const quietLoop = await api.next<LoopDelay>('loop');
    const quietLoad = loadavg()[0]!;
    let ended = false;
    const ingested = api
      .next<{
        ms: number;
        status: string;
        error: string | null;
        loopDelayMs: LoopDelay;
      }>('ingested')
      .finally(() => {
        ended = true;
      });
    api.send({ type: 'ingest', csv });
    const during = await phase(reads, () => ended);
    const run = await ingested;
    if (run.status !== 'succeeded')
      throw new Error(`underload (${d}): the ingest ${run.status}: ${run.error}`);
    return {
      quiet,
      during,
      ingestMs: run.ms,
      apiEventLoopDelayMs: { quiet: quietLoop, during: run.loopDelayMs },
      loadAverage: { quiet: quietLoad, during: loadavg()[0]! },
    };
  } finally {
    await bare?.stop();
    await api.stop();
    await worker?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Where the reads go, and the `/healthz` probed beside them (none for the bare endpoint). */
interface Reads {
  url: string;
  body: () => string;
  healthz: string | null;
}

/** Reads in bursts and a sequential `/healthz` probe, both until `done()`. */
async function phase(target: Reads, done: () => boolean): Promise<Phase> {
  const t0 = performance.now();
  const reads: number[] = [];
  const healthz: number[] = [];
  let stop = target.healthz === null;
  const probe = (async () => {
    while (!stop) {
      const s = performance.now();
      const res = await fetch(target.healthz!);
      await res.arrayBuffer();
      healthz.push(performance.now() - s);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    do {
      const r = await load({
        url: target.url,
        connections: CONNECTIONS,
        amount: BURST,
        body: target.body,
        onLatency: (ms) => reads.push(ms),
      });
      if (r.errors || r.non2xx) throw new Error(`underload: read failures: ${r.firstFailure ?? r.errors}`);
    } while (!done());
  } finally {
    stop = true;
    await probe;
  }
  return { reads, healthz, seconds: (performance.now() - t0) / 1000 };
}

function summary(p: Phase) {
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    seconds: r(p.seconds),
    reads: p.reads.length,
    readP50: r(percentile(p.reads, 50)),
    readP99: r(percentile(p.reads, 99)),
    readMax: r(Math.max(...p.reads)),
    ...(p.healthz.length > 0 && {
      healthzProbes: p.healthz.length,
      healthzP50: r(percentile(p.healthz, 50)),
      healthzP99: r(percentile(p.healthz, 99)),
      healthzMax: r(Math.max(...p.healthz)),
    }),
  };
}
