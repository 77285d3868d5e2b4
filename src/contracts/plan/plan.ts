/**
 * planContract: what a proposed contract version would do to the data. The last N
 * succeeded runs of the feature view the proposal replaces are replayed from their
 * kept raw batches through the active version and the proposed one (replay.ts), in
 * memory, and the two are compared (diff.ts, affected.ts). It only reads: no run,
 * row, event or audit entry is written.
 */
import type { Store } from '../../store/store';
import type { RawStore } from '../../pipeline/raw-store';
import type { Environment } from '../../domain/environment';
import type { Run } from '../../domain/run';
import type { RegisteredContract } from '../../domain/registered-contract';
import { InputError } from '../../errors';
import { CompiledContractCache } from '../../pipeline/compiled-contract';
import { parseContractInSlices } from '../parse';
import { replayRun } from './replay';
import { fileNames } from '../../pipeline/file-name';
import { PlanDiff } from './diff';
import { affectedFeatures } from './affected';
import type { ContractPlan, PlannedRun, RunOutcome } from './plan.types';
import type { Replay } from './replay';

export const DEFAULT_PLAN_RUNS = 5;
/** Each run is read twice and transformed twice: a bound keeps a plan's cost near a run's. */
export const MAX_PLAN_RUNS = 50;

export interface PlanDeps {
  store: Store;
  rawStore: RawStore;
}

export interface PlanOptions {
  runs?: number;
  environment: Environment;
  /** Named in lint errors (default `proposed.yaml`). */
  file?: string;
}

/** Registered versions never change: compiled once per process, by hash. */
const compiledCache = new CompiledContractCache(16);

export async function planContract(deps: PlanDeps, yaml: string, opts: PlanOptions): Promise<ContractPlan> {
  const runs = checkRuns(opts.runs ?? DEFAULT_PLAN_RUNS);
  const parsed = await parseContractInSlices(yaml, opts.file ?? 'proposed.yaml');
  const proposed = parsed.contract;
  const active = await activeVersion(deps.store, proposed.name, proposed.version, opts.environment);
  const plan: ContractPlan = {
    contract: proposed.name,
    environment: opts.environment,
    proposedVersion: proposed.version,
    activeVersion: active?.version ?? null,
    major: active?.major ?? null,
    runs: [],
    features: [],
    newlyRejected: [],
    noLongerRejected: [],
    rowsDropped: 0,
    rowsAdded: 0,
    expectations: [],
    affected: [],
    timing: { activeMs: 0, proposedMs: 0 },
    notes: [],
  };
  if (!active) {
    plan.notes.push(
      `no version of ${proposed.name} is active in ${opts.environment}: nothing to compare with`,
    );
    return plan;
  }
  plan.affected = affectedFeatures(active.contract, proposed);
  const past = await lastSucceeded(deps.store, active, opts.environment, runs);
  if (past.length === 0)
    plan.notes.push(`no succeeded run of ${active.name} major ${active.major} in ${opts.environment}`);
  if (active.major !== semverMajor(proposed.version))
    plan.notes.push(
      `the proposal is major ${semverMajor(proposed.version)}: a new feature view; its windows start from nothing there, here they read the stored history of major ${active.major}`,
    );
  const activeCompiled = compiledCache.get(active.hash, active.contract);
  const proposedCompiled = compiledCache.get(parsed.hash, proposed);
  const diff = new PlanDiff(
    active.contract.features.map((f) => f.name),
    proposed.features.map((f) => f.name),
  );
  const batches = await deps.store.rawBatches.forRuns(past.map((r) => r.id));
  for (const run of past) {
    const input = {
      store: deps.store,
      rawStore: deps.rawStore,
      run,
      batches: batches.get(run.id) ?? [],
      view: { environment: opts.environment, contract: active.name, major: active.major },
    };
    // Alternating which goes first keeps a warm-up from being charged to one version.
    const first = plan.runs.length % 2 === 0;
    const p = first ? await replayRun(input, proposedCompiled) : null;
    const a = await replayRun(input, activeCompiled);
    const pp = p ?? (await replayRun(input, proposedCompiled));
    diff.add(run.id, a, pp, fileNames(input.batches));
    plan.runs.push(plannedRun(run, a, pp));
    plan.timing.activeMs += a.ms;
    plan.timing.proposedMs += pp.ms;
  }
  Object.assign(plan, diff.result());
  plan.expectations = diff.expectations;
  plan.rowsDropped = diff.rowsDropped;
  plan.rowsAdded = diff.rowsAdded;
  plan.timing = { activeMs: round(plan.timing.activeMs), proposedMs: round(plan.timing.proposedMs) };
  return plan;
}

function checkRuns(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PLAN_RUNS)
    throw new InputError(
      `runs must be a whole number from 1 to ${MAX_PLAN_RUNS} (each run is read and transformed twice); got ${n}`,
    );
  return n;
}

/** The active version of the proposal's major, else the newest active one (the one it would replace). */
async function activeVersion(
  store: Store,
  name: string,
  version: string,
  environment: Environment,
): Promise<RegisteredContract | null> {
  const active = await store.contracts.activeVersions({ name, environment });
  const pick = active.find((a) => a.major === semverMajor(version)) ?? active[0];
  return pick ? store.contracts.findVersion(name, pick.version) : null;
}

/** The newest `n` visible runs of the view, oldest first (the order they were replayed in). */
async function lastSucceeded(
  store: Store,
  active: RegisteredContract,
  environment: Environment,
  n: number,
): Promise<Run[]> {
  const found: Run[] = [];
  let after: { queuedAt: number; id: string } | undefined;
  // Other majors' runs share the listing; a few pages find the view's runs in practice.
  for (let page = 0; page < 20 && found.length < n; page++) {
    const { runs, hasNextPage } = await store.runs.list(
      { contract: active.name, status: 'succeeded', environment },
      100,
      after,
    );
    found.push(...runs.filter((r) => r.contractMajor === active.major && r.committedAt !== null));
    if (!hasNextPage || runs.length === 0) break;
    const last = runs[runs.length - 1]!;
    after = { queuedAt: last.queuedAt, id: last.id };
  }
  return found
    .sort((x, y) => y.committedAt! - x.committedAt!)
    .slice(0, n)
    .reverse();
}

function plannedRun(run: Run, a: Replay, p: Replay): PlannedRun {
  return {
    id: run.id,
    contractVersion: run.contractVersion,
    committedAt: run.committedAt!,
    rowsRead: a.counts.read,
    active: outcome(a),
    proposed: outcome(p),
  };
}

function outcome(r: Replay): RunOutcome {
  return { ...r.counts, rows: r.rows.size, failure: r.failure, ms: round(r.ms) };
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const semverMajor = (v: string) => Number(v.split('.')[0]);
