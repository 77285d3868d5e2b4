/**
 * Reads under load: online reads (1 entity × 20 features) at 8 connections and a
 * `/healthz` probe against one Tidemark process, first quiet, then while that same
 * process runs a 1,000,000-row ingest. The quiet phase is the baseline; the ratio
 * says how much a run stalls the API (issue: read p99 < 10 ms, /healthz p99 < 50 ms).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from '../lib/options';
import { scaled } from '../lib/options';
import { startWorker } from '../lib/child';
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

export async function underLoadCase(o: BenchOptions): Promise<CaseResult> {
  const entities = scaled(10_000, o, 10);
  const { dir: store } = await sqliteFeatureStore(o.dataDir, entities, o.seed, o.pgUrl);
  const rows = scaled(1_000_000, o, 1_000);
  const csv = await cached(o.dataDir, `ingest-${rows}-s${o.seed}.csv`, (p) =>
    writeIngestCsv(p, rows, o.seed),
  );
  // The run writes into the store: work on a copy so the cached one stays as built.
  const work = mkdtempSync(join(tmpdir(), 'tidemark-underload-'));
  cpSync(store, work, { recursive: true });
  const w = startWorker('mixed-server.ts', ['--dataDir', work]);
  try {
    const { port } = await w.next<{ port: number }>('ready');
    const base = `http://127.0.0.1:${port}`;
    const r = rng(o.seed);
    const body = () => JSON.stringify({ query: QUERY, variables: { e: [entityName(int(r, entities))] } });
    await load({ url: `${base}/graphql`, connections: CONNECTIONS, amount: scaled(20_000, o, 500), body });
    const quietSeconds = Math.max(3, Math.round(10 * Math.min(1, o.scale)));
    const quietUntil = performance.now() + quietSeconds * 1000;
    const quiet = await phase(base, body, () => performance.now() >= quietUntil);
    let ended = false;
    const ingested = w
      .next<{
        ms: number;
        status: string;
        error: string | null;
        loopDelayMs: { p99: number; max: number };
      }>('ingested')
      .finally(() => {
        ended = true;
      });
    w.send({ type: 'ingest', csv });
    const during = await phase(base, body, () => ended);
    const run = await ingested;
    if (run.status !== 'succeeded') throw new Error(`underload: the ingest ${run.status}: ${run.error}`);
    const p99 = (xs: number[]) => percentile(xs, 99);
    const readQuiet = measure([p99(quiet.reads)], 'ms', 'lower');
    const readDuring = measure([p99(during.reads)], 'ms', 'lower');
    const hzQuiet = measure([p99(quiet.healthz)], 'ms', 'lower');
    const hzDuring = measure([p99(during.healthz)], 'ms', 'lower');
    return {
      case: 'underload',
      rows: [
        row(
          'underload',
          `1 ent × 20 f, ${CONNECTIONS} conn, during a ${rows.toLocaleString('en')}-row ingest: read p99`,
          readDuring,
          { name: 'same reads, no run', m: readQuiet },
          target('< 10 ms', readDuring.median < 10),
        ),
        row(
          'underload',
          `/healthz p99 during the ingest`,
          hzDuring,
          { name: '/healthz, no run', m: hzQuiet },
          target('< 50 ms', hzDuring.median < 50),
        ),
      ],
      details: {
        rows,
        ingestMs: run.ms,
        serverEventLoopDelayMs: run.loopDelayMs,
        quiet: summary(quiet),
        during: summary(during),
      },
    };
  } finally {
    await w.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Reads in bursts and a sequential `/healthz` probe, both until `done()`. */
async function phase(base: string, body: () => string, done: () => boolean): Promise<Phase> {
  const t0 = performance.now();
  const reads: number[] = [];
  const healthz: number[] = [];
  let stop = false;
  const probe = (async () => {
    while (!stop) {
      const s = performance.now();
      const res = await fetch(`${base}/healthz`);
      await res.arrayBuffer();
      healthz.push(performance.now() - s);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    do {
      const r = await load({
        url: `${base}/graphql`,
        connections: CONNECTIONS,
        amount: BURST,
        body,
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
    healthzProbes: p.healthz.length,
    healthzP50: r(percentile(p.healthz, 50)),
    healthzP99: r(percentile(p.healthz, 99)),
    healthzMax: r(Math.max(...p.healthz)),
  };
}
