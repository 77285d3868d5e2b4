/** A plan as text a reviewer reads in a terminal or a pull-request comment (fenced there). */
import type { ContractPlan, ExpectationChange, FeatureChange, RejectChange, Verdict } from './plan.types';

export function renderPlanText(plan: ContractPlan): string {
  const out: string[] = [];
  const against = plan.activeVersion ? ` against ${plan.activeVersion} (active)` : '';
  out.push(`plan  ${plan.contract}@${plan.proposedVersion}${against} in ${plan.environment}`);
  for (const note of plan.notes) out.push(`  note: ${note}`);
  if (!plan.activeVersion) return out.join('\n') + '\n';
  const read = plan.runs.reduce((n, r) => n + r.rowsRead, 0);
  out.push(
    `  replayed ${plan.runs.length} run(s), ${read} row(s) read from their kept raw batches; nothing written`,
  );
  out.push('');
  out.push('runs');
  for (const r of plan.runs) {
    out.push(
      `  ${r.id}  (${r.contractVersion}, ${new Date(r.committedAt).toISOString()})  read ${r.rowsRead}: ` +
        `rows ${r.active.rows} → ${r.proposed.rows}, rejected ${r.active.rejected} → ${r.proposed.rejected}, ` +
        `filtered ${r.active.filtered} → ${r.proposed.filtered}`,
    );
    if (r.active.failure) out.push(`    active: ${r.active.failure}`);
    if (r.proposed.failure) out.push(`    proposed: ${r.proposed.failure}`);
  }
  out.push('');
  out.push('features');
  const width = Math.max(7, ...plan.features.map((f) => f.feature.length));
  for (const f of plan.features) out.push(`  ${f.feature.padEnd(width)}  ${describeFeature(f)}`);
  if (plan.rowsDropped || plan.rowsAdded)
    out.push(`  rows: ${plan.rowsDropped} no longer written, ${plan.rowsAdded} newly written`);
  out.push('');
  out.push('affected through definitions, expressions and windows');
  if (plan.affected.length === 0) out.push('  none');
  for (const a of plan.affected) out.push(`  ${a.feature}: ${a.reason}`);
  out.push('');
  out.push('rejects');
  if (plan.newlyRejected.length === 0 && plan.noLongerRejected.length === 0) out.push('  no change');
  for (const r of plan.newlyRejected)
    out.push(`  + ${r.rows} row(s) newly rejected by ${label(r)}${sample(r)}`);
  for (const r of plan.noLongerRejected)
    out.push(`  - ${r.rows} row(s) no longer rejected by ${label(r)}${sample(r)}`);
  out.push('');
  out.push('expectations whose verdict changes');
  if (plan.expectations.length === 0) out.push('  none');
  for (const e of plan.expectations) out.push(`  ${e.runId}  ${describeExpectation(e)}`);
  out.push('');
  const ratio =
    plan.timing.activeMs > 0
      ? ` (${(plan.timing.proposedMs / plan.timing.activeMs).toFixed(2)}× the active version's)`
      : '';
  out.push(`time: the proposed version took ${fmtMs(plan.timing.proposedMs)} over these runs${ratio}`);
  return out.join('\n') + '\n';
}

function describeFeature(f: FeatureChange): string {
  if (f.status === 'added') return 'new feature';
  if (f.status === 'removed') return 'removed';
  if (f.status === 'unchanged') return `unchanged (${f.rowsCompared} rows)`;
  const parts = [`${f.rowsChanged} of ${f.rowsCompared} rows change`];
  if (f.maxAbsDiff !== null) parts.push(`max |diff| ${fmtNumber(f.maxAbsDiff)}`);
  if (f.becomeNull) parts.push(`${f.becomeNull} become null`);
  const s = f.sample[0];
  if (s) parts.push(`e.g. ${s.entity} ${s.eventTime.slice(0, 10)}: ${show(s.active)} → ${show(s.proposed)}`);
  return parts.join(', ');
}

function describeExpectation(e: ExpectationChange): string {
  return `${e.expectation} [${e.severity}]: ${verdict(e.active)} → ${verdict(e.proposed)}`;
}

const verdict = (v: Verdict | null) =>
  v === null ? 'absent' : `${v.success ? 'holds' : 'fails'} (${v.unexpectedCount} unexpected)`;

const label = (r: RejectChange) => (r.column ? `${r.rule} on ${r.column}` : r.rule);

const sample = (r: RejectChange) =>
  r.sample.length
    ? ` (e.g. ${r.sample
        .map((s) => `row ${s.rowNumber} of ${s.file ?? s.rawBatchId}`)
        .slice(0, 2)
        .join(', ')})`
    : '';

const show = (v: unknown) => (v === null ? 'null' : typeof v === 'number' ? fmtNumber(v) : JSON.stringify(v));

function fmtNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6)));
}

const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
