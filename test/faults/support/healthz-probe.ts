/**
 * A /healthz probe running beside an attack: one request at a time, back to back with
 * a short pause, each timed. A server whose event loop is blocked answers late, so the
 * slowest answer is how long the attack stalled everyone else. The fault suite's bound
 * (issue 14): no answer may take longer than 1 s.
 */
import { expect } from 'vitest';

export const PROBE_BOUND_MS = 1_000;

export interface ProbeReport {
  probes: number;
  failures: number;
  maxMs: number;
}

export interface HealthzProbe {
  /** Stops probing and reports (waits for the probe in flight). */
  stop(): Promise<ProbeReport>;
}

export function probeHealthz(baseUrl: string, pauseMs = 50): HealthzProbe {
  let running = true;
  const report: ProbeReport = { probes: 0, failures: 0, maxMs: 0 };
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer();
        if (!res.ok) report.failures++;
      } catch {
        report.failures++;
      }
      report.maxMs = Math.max(report.maxMs, performance.now() - t0);
      report.probes++;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return report;
    },
  };
}

/** Runs `attack` with the probe beside it; the probe starts first and keeps going 200 ms after. */
export async function besideProbe<T>(
  baseUrl: string,
  attack: () => Promise<T>,
): Promise<{ out: T; probe: ProbeReport }> {
  const probe = probeHealthz(baseUrl);
  await new Promise((r) => setTimeout(r, 200));
  const out = await attack();
  await new Promise((r) => setTimeout(r, 200));
  return { out, probe: await probe.stop() };
}

/** The probe's line in the fault report: how many answers, the slowest. */
export function probed(p: ProbeReport): string {
  return `/healthz ${p.probes} probes, slowest ${Math.round(p.maxMs)} ms`;
}

/**
 * Fails the test unless /healthz kept answering: every probe answered 200, there were
 * enough of them to mean something, and none took PROBE_BOUND_MS or longer.
 */
export function expectResponsive(p: ProbeReport): void {
  expect(p.failures, `${p.failures} /healthz probes failed`).toBe(0);
  expect(p.probes, 'the probe ran too few times to tell').toBeGreaterThan(2);
  expect(p.maxMs, `${probed(p)}: the server stalled`).toBeLessThan(PROBE_BOUND_MS);
}
