/**
 * Freshness: how old the newest visible event of each feature view is, against the
 * `sla.freshness` of the contract version active there. The view is per
 * (environment, contract, major), so rows written under earlier versions of the same
 * major count. Shown in GraphQL (Contract.freshness), metrics and the log.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Environment } from '../domain/environment';
import type { Repositories } from '../store/store';
import type { ActiveVersion } from '../domain/registered-contract';
import { parseIsoDuration } from '../lib/duration';
import type { Metrics } from '../observability/metrics';

export interface FreshnessStatus {
  contract: string;
  /** The version active in this environment for this major. */
  version: string;
  major: number;
  environment: Environment;
  /** Epoch ms; null when the view has no visible row. */
  newestEventTime: number | null;
  /** Seconds from the newest event time to now (negative when event times lie ahead of the clock). */
  ageSeconds: number | null;
  /** The ISO-8601 duration of `sla.freshness`; null when the contract sets none. */
  sla: string | null;
  stale: boolean;
}

export interface FreshnessDeps {
  store: Pick<Repositories, 'contracts' | 'runs'>;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
}

export class FreshnessService {
  /** Stale or not at the last check, per view: logs mark the changes only. */
  private lastStale = new Map<string, boolean>();

  constructor(private readonly deps: FreshnessDeps) {}

  /** Freshness of every active contract version in every environment; no side effects. */
  async snapshot(filter: { name?: string; environment?: Environment } = {}): Promise<FreshnessStatus[]> {
    const active = await this.deps.store.contracts.activeVersions(filter);
    const now = this.deps.clock.now();
    return Promise.all(active.map((a) => this.measure(a, now)));
  }

  /** Per environment where this exact version is active (for GraphQL's Contract.freshness). */
  async forVersion(name: string, version: string): Promise<FreshnessStatus[]> {
    const all = await this.snapshot({ name });
    return all.filter((s) => s.version === version);
  }

  /** Recomputes the freshness gauges (at every scrape: ages move with the clock). */
  async refresh(): Promise<FreshnessStatus[]> {
    const statuses = await this.snapshot();
    this.setGauges(statuses);
    return statuses;
  }

  /**
   * refresh(), and logs each change of a view's state: a warning when it becomes stale
   * (or is stale at the first check), a line when it is fresh again. A view that stays
   * stale is not logged again every minute; the gauge and GraphQL still show it.
   */
  async check(): Promise<FreshnessStatus[]> {
    const statuses = await this.refresh();
    const seen = new Map<string, boolean>();
    for (const s of statuses) {
      const key = `${s.environment}\u0000${s.contract}\u0000${s.major}`;
      seen.set(key, s.stale);
      const was = this.lastStale.get(key) ?? false;
      if (s.stale && !was) this.deps.logger.warn(describe(s), 'feature view is stale');
      if (!s.stale && was) this.deps.logger.info(describe(s), 'feature view is fresh again');
    }
    this.lastStale = seen;
    return statuses;
  }

  /**
   * Runs check() every `intervalMs` of real time until the returned function is called.
   * Failures are logged, never thrown: a database hiccup must not stop the checks.
   */
  schedule(intervalMs: number): () => void {
    const timer = setInterval(() => {
      this.check().catch((err: unknown) => this.deps.logger.error({ err }, 'freshness check failed'));
    }, intervalMs);
    // The checks alone must not keep the process alive.
    timer.unref();
    return () => clearInterval(timer);
  }

  private async measure(a: ActiveVersion, now: number): Promise<FreshnessStatus> {
    const view = { environment: a.environment, contract: a.name, major: a.major };
    const [registered, newest] = await Promise.all([
      this.deps.store.contracts.findVersion(a.name, a.version),
      this.deps.store.runs.newestEventTime(view),
    ]);
    const sla = registered?.contract.sla?.freshness ?? null;
    const ageSeconds = newest === null ? null : (now - newest) / 1000;
    return {
      contract: a.name,
      version: a.version,
      major: a.major,
      environment: a.environment,
      newestEventTime: newest,
      ageSeconds,
      sla,
      stale: isStale(sla, newest, now, a.since),
    };
  }

  private setGauges(statuses: FreshnessStatus[]): void {
    const m = this.deps.metrics;
    if (!m) return;
    // Reset first so a retired version or a view that lost its rows stops being reported.
    m.freshness.reset();
    m.stale.reset();
    m.freshnessSla.reset();
    for (const s of statuses) {
      const labels = { contract: s.contract, environment: s.environment, major: String(s.major) };
      if (s.ageSeconds !== null) m.freshness.set(labels, s.ageSeconds);
      if (s.sla !== null) m.freshnessSla.set(labels, parseIsoDuration(s.sla) / 1000);
      m.stale.set(labels, s.stale ? 1 : 0);
    }
  }
}

function describe(s: FreshnessStatus) {
  return {
    contract: s.contract,
    version: s.version,
    major: s.major,
    environment: s.environment,
    newestEventTime: s.newestEventTime === null ? null : new Date(s.newestEventTime).toISOString(),
    ageSeconds: s.ageSeconds,
    sla: s.sla,
  };
}

/**
 * Stale when the newest event is older than the SLA. A view with no row yet is given
 * one SLA period from the moment its version became active before it counts as
 * stale, so applying a contract does not raise an alarm before its first run.
 */
export function isStale(
  sla: string | null,
  newest: number | null,
  now: number,
  activeSince: number,
): boolean {
  if (sla === null) return false;
  const limit = parseIsoDuration(sla);
  return now - (newest ?? activeSince) > limit;
}
