/**
 * Case 4, events: N WebSocket subscribers to runStatusChanged on Tidemark; for each
 * status change, the time from its publication on the run event bus to the LAST
 * subscriber receiving it. Baseline: a bare `ws` server broadcasting the same
 * messages to the same number of plain clients. The subscribers of both legs live in
 * the same number of client processes (bench/lib/subscribers.ts).
 */
import type { BenchOptions } from '../lib/options';
import { scaled } from '../lib/options';
import { profileWorker, startWorker, type Worker } from '../lib/child';
import { graphqlSubscribers, plainSubscribers, type Subscribers } from '../lib/subscribers';
import { measure, row, target, type CaseResult } from '../lib/result';
import { max, percentile } from '../lib/stats';
import type { Published } from '../workers/events-server';

const SETTLE_MS = 1000;
/** Triggers each leg runs before measuring: every subscriber must see them (all live), and the JIT warms up. */
const WARM_UP = 3;

type Mode = 'tidemark' | 'bare';
interface Leg {
  w: Worker;
  subs: Subscribers | null;
}

export async function eventsCase(o: BenchOptions): Promise<CaseResult> {
  const n = scaled(1000, o, 50);
  const triggers = Math.max(3, o.reps * 4);
  // Both legs stay up side by side and their triggers alternate, so a busy moment of
  // the machine falls on both alike; idle subscribers cost nothing meanwhile.
  const legs = new Map<Mode, Leg>();
  const out = new Map<Mode, { last: number[]; all: number[] }>();
  let profile: unknown;
  try {
    for (const mode of ['tidemark', 'bare'] as Mode[]) {
      const w = await startWorker('events-server.ts', ['--mode', mode]);
      const leg: Leg = { w, subs: null };
      legs.set(mode, leg);
      const { port, path } = await w.next<{ port: number; path: string }>('ready');
      const url = `ws://127.0.0.1:${port}${path}`;
      leg.subs = mode === 'tidemark' ? await graphqlSubscribers(url, n) : await plainSubscribers(url, n);
      out.set(mode, { last: [], all: [] });
    }
    await sleep(SETTLE_MS);
    for (let t = 0; t < WARM_UP; t++)
      for (const leg of legs.values()) await fire(leg.w, leg.subs!, 1000 + t, n);
    for (let t = 1; t <= triggers; t++) {
      for (const [mode, leg] of legs) {
        const lat = await fire(leg.w, leg.subs!, t, n);
        out.get(mode)!.last.push(...lat.last);
        out.get(mode)!.all.push(...lat.all);
        await sleep(200);
      }
    }
    const tmLeg = legs.get('tidemark')!;
    profile = await profileWorker(tmLeg.w, o.profileDir, 'events', () =>
      fire(tmLeg.w, tmLeg.subs!, triggers + 1, n),
    );
  } finally {
    for (const leg of legs.values()) {
      await leg.subs?.close();
      await leg.w.stop();
    }
  }
  const summary = (mode: Mode) => {
    const { last, all } = out.get(mode)!;
    return { last, p50All: percentile(all, 50), p99All: percentile(all, 99), maxAll: max(all) };
  };
  const tm = { profile, ...summary('tidemark') };
  const bare = summary('bare');
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
    details: { subscribers: n, triggers, warmUp: WARM_UP, tidemark: tm, bare },
  };
}

/** Triggers one run (three status changes) and returns, per change, the latency to the last subscriber. */
async function fire(
  w: Worker,
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
