/**
 * A /healthz probe running beside an attack: one request at a time, back to back with
 * a short pause, each timed. A server whose event loop is blocked answers late, so the
 * slowest answer is how long the attack stalled everyone else. The fault suite's bound
 * (issue 14): no answer may take longer than 1 s.
 */
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
