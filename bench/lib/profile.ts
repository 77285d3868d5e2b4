/**
 * CPU profiles of the measured Tidemark work only (not the data generation or the
 * baselines): the V8 sampling profiler through node:inspector, written as
 * .cpuprofile files (open them in Chrome DevTools or speedscope) and summarised as
 * self time per function and per source file.
 */
import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Top functions by self time. */
  functions: Array<{ name: string; where: string; selfMs: number; pct: number }>;
  /** Self time grouped by source file (or `(native)`, `(gc)`, `(idle)`). */
  files: Array<{ where: string; selfMs: number; pct: number }>;
}

/** Profiles `fn` when `dir` is given; otherwise just runs it. */
export async function profiled<T>(
  dir: string | null,
  name: string,
  fn: () => Promise<T>,
): Promise<{ result: T; profile: ProfileSummary | null }> {
  if (!dir) return { result: await fn(), profile: null };
  const stop = await startProfile(dir, name);
  let result: T;
  let summary: ProfileSummary;
  try {
    result = await fn();
  } finally {
    summary = await stop();
  }
  return { result, profile: summary };
}

/** Starts the sampling profiler; the returned function stops it, writes the file and summarises it. */
export async function startProfile(dir: string, name: string): Promise<() => Promise<ProfileSummary>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return summarise(profile, file);
  };
}

/**
 * In a server worker: profile on the parent's request. `profile-start` {dir, name}
 * starts the profiler; `profile-stop` stops it and answers `profile` with the summary.
 */
export function answerProfileRequests(tell: (type: string, data: unknown) => Promise<void>): void {
  let stop: (() => Promise<ProfileSummary>) | null = null;
  process.on('message', (m: { type?: string; dir?: string; name?: string }) => {
    if (m?.type === 'profile-start')
      void startProfile(m.dir!, m.name!)
        .then((s) => void (stop = s))
        .then(() => tell('profiling', null));
    if (m?.type === 'profile-stop' && stop) void stop().then((summary) => tell('profile', summary));
  });
}

export function summarise(profile: CpuProfile, file: string, top = 25): ProfileSummary {
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++)
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + (deltas[i] ?? 0));
  const totalUs = profile.endTime - profile.startTime;
  const byFn = new Map<string, { name: string; where: string; us: number }>();
  const byFile = new Map<string, number>();
  const parentOf = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n);
  for (const n of profile.nodes) {
    const us = selfUs.get(n.id) ?? 0;
    if (us === 0) continue;
    const { name, file, where } = describe(n, parentOf.get(n.id));
    const e = byFn.get(`${name}@${where}`) ?? { name, where, us: 0 };
    e.us += us;
    byFn.set(`${name}@${where}`, e);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const pct = (us: number) => Math.round((1000 * us) / Math.max(1, totalUs)) / 10;
  return {
    file: relative(process.cwd(), file),
    totalMs: Math.round(totalUs / 1000),
    functions: [...byFn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, selfMs: Math.round(f.us / 1000), pct: pct(f.us) })),
    files: [...byFile.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, us]) => ({ where, selfMs: Math.round(us / 1000), pct: pct(us) })),
  };
}

/**
 * Names a profile node. Native frames (no URL) are charged to the JS frame that
 * called them: V8 labels an addon's functions oddly (node-sqlite3's bind/prepare
 * show as `Backup`), and when profiling through node:inspector, native work with
 * no JS on the stack (libuv callbacks, addon completions) shows as the inspector's
 * `dispatch`, which is reported here as `(native, no JS frame)`.
 */
function describe(
  n: ProfileNode,
  parent: ProfileNode | undefined,
): { name: string; file: string; where: string } {
  const cf = n.callFrame;
  if (cf.url) {
    const name = cf.functionName || '(anonymous)';
    return {
      name,
      file: location(cf.url, name, false),
      where: `${location(cf.url, name, true)}:${cf.lineNumber + 1}`,
    };
  }
  if (cf.functionName.startsWith('('))
    return { name: cf.functionName, file: cf.functionName, where: cf.functionName };
  const pUrl = parent?.callFrame.url ?? '';
  if (!pUrl || pUrl.startsWith('node:inspector'))
    return { name: '(native, no JS frame)', file: '(native)', where: '(native)' };
  const caller = `${location(pUrl, '', true)}:${parent!.callFrame.lineNumber + 1}`;
  return {
    name: `native ${cf.functionName}`,
    file: `${location(pUrl, '', false)} (native)`,
    where: `called from ${caller}`,
  };
}

/**
 * A short place name: the repo-relative path; for node_modules the package (or, with
 * `detailed`, the path inside it); or the V8 pseudo-frame such as `(garbage collector)`.
 */
function location(url: string, fn: string, detailed: boolean): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length);
    if (detailed) return `npm:${rest}`;
    const parts = rest.split('/');
    return `npm:${parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (path.startsWith('node:')) return path;
  return relative(process.cwd(), path);
}
