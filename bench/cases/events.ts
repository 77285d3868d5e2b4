/**
 * Case 4, events: N WebSocket subscribers to runStatusChanged on Tidemark; for each
 * status change, the time from its publication on the run event bus to the LAST
 * subscriber receiving it. Baseline: a bare `ws` server broadcasting the same
 * messages to the same number of plain clients. The subscribers of both legs live in
 * the same number of client processes (bench/lib/subscribers.ts).
 */
import type { BenchOptions } from '../lib/options';
import { scaled } from '../lib/options';
import { profileWorker, startWorker } from '../lib/child';
import { graphqlSubscribers, plainSubscribers, type Subscribers } from '../lib/subscribers';
import { measure, row, target, type CaseResult } from '../lib/result';
import { max, percentile } from '../lib/stats';
import type { Published } from '../workers/events-server';

const SETTLE_MS = 1000;

export async function eventsCase(o: BenchOptions): Promise<CaseResult> {
  const n = scaled(1000, o, 50);
  const triggers = Math.max(3, o.reps * 4);
  const tm = await leg('tidemark', n, triggers, o.profileDir);
  const bare = await leg('bare', n, triggers, null);
  const what = `${n} subscribers, publish → last receipt`;
  return {
    case: 'events',
    rows: [
      row('events', `${what}, median`, measure(tm.last, 'ms', 'lower'), {
        name: 'bare ws broadcast',
        m: measure(bare.last, 'ms', 'lower'),
      }),
      row(
        'events',
        `${what}, p99`,
        { ...measure(tm.last, 'ms', 'lower'), median: percentile(tm.last, 99) },
        {
          name: 'bare ws broadcast',
          m: { ...measure(bare.last, 'ms', 'lower'), median: percentile(bare.last, 99) },
        },
        target('< 100 ms', percentile(tm.last, 99) < 100),
      ),
    ],
    details: { subscribers: n, triggers, tidemark: tm, bare },
  };
}

async function leg(mode: 'tidemark' | 'bare', n: number, triggers: number, profileDir: string | null) {
  const w = startWorker('events-server.ts', ['--mode', mode]);
  let subs: Subscribers | null = null;
  try {
    const { port, path } = await w.next<{ port: number; path: string }>('ready');
    const url = `ws://127.0.0.1:${port}${path}`;
    subs = mode === 'tidemark' ? await graphqlSubscribers(url, n) : await plainSubscribers(url, n);
    await sleep(SETTLE_MS);
    // A warm-up trigger that every subscriber must see: proves all subscriptions are live.
    await fire(w, subs, 0, n);
    const last: number[] = [];
    const all: number[] = [];
    for (let t = 1; t <= triggers; t++) {
      const lat = await fire(w, subs, t, n);
      last.push(...lat.last);
      all.push(...lat.all);
      await sleep(200);
    }
    const profile = await profileWorker(w, profileDir, 'events', () => fire(w, subs!, triggers + 1, n));
    return { profile, last, p50All: percentile(all, 50), p99All: percentile(all, 99), maxAll: max(all) };
  } finally {
    await subs?.close();
    await w.stop();
  }
}

/** Triggers one run (three status changes) and returns, per change, the latency to the last subscriber. */
async function fire(
  w: ReturnType<typeof startWorker>,
  subs: Subscribers,
  t: number,
  n: number,
): Promise<{ last: number[]; all: number[] }> {
  await subs.reset();
  w.send({ type: 'trigger', n: t });
  const published = await w.next<Published[]>('published');
  const want = published.length;
  await subs.until(want, Date.now() + 30_000);
  const receipts = await subs.collect();
  const missing = receipts.filter((r) => r.length < want).length;
  if (missing)
    throw new Error(`events: ${missing} of ${n} subscribers missed a status change of trigger ${t}`);
  const last: number[] = [];
  const all: number[] = [];
  for (const p of published) {
    const lat = receipts.map((r) => r.find((x) => x.id === p.id && x.status === p.status)!.at - p.at);
    all.push(...lat);
    last.push(max(lat));
  }
  return { last, all };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
