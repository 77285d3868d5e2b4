/**
 * Prints the CPU profile summaries kept in a bench result (default bench/out/latest.json):
 * self time by source file and the top functions, per profiled measurement.
 *   npx tsx bench/show-profiles.ts [result.json] [--top N]
 */
import { readFileSync } from 'node:fs';
import type { ProfileSummary } from './lib/profile';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 15;
const file = args.find((a, i) => !a.startsWith('--') && i !== topAt + 1) ?? 'bench/out/latest.json';
const report = JSON.parse(readFileSync(file, 'utf8')) as {
  results: Array<{ case: string; details: unknown }>;
};

/** Every object under `details` that looks like a profile summary, with the path to it. */
function* profiles(node: unknown, path: string): Generator<[string, ProfileSummary]> {
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (Array.isArray(o.functions) && Array.isArray(o.files) && typeof o.totalMs === 'number') {
    yield [path, o as unknown as ProfileSummary];
    return;
  }
  for (const [k, v] of Object.entries(o)) yield* profiles(v, `${path}.${k}`);
}

for (const r of report.results) {
  for (const [path, p] of profiles(r.details, r.case)) {
    console.log(`\n=== ${path} (${p.totalMs} ms profiled, ${p.file})`);
    console.log('by file:');
    for (const f of p.files.slice(0, top))
      console.log(`  ${String(f.pct).padStart(5)}%  ${String(f.selfMs).padStart(7)} ms  ${f.where}`);
    console.log('top functions (self time):');
    for (const f of p.functions.slice(0, top))
      console.log(
        `  ${String(f.pct).padStart(5)}%  ${String(f.selfMs).padStart(7)} ms  ${f.name}  ${f.where}`,
      );
  }
}
