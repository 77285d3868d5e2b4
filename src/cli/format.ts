/** Plain-text shapes for CLI output. */
import type { Run } from '../pipeline/run.types';
import { resultLines } from './report-format';
import { statusName } from './json';

export function runLine(r: Run): string {
  const when = new Date(r.queuedAt).toISOString().replace('T', ' ').slice(0, 19);
  const c = r.counts;
  return `${r.id}  ${when}  ${r.contractName}@${r.contractVersion}  ${r.environment}  ${r.trigger.padEnd(9)} ${statusName(r.status).padEnd(11)} read=${c.read} written=${c.written} rejected=${c.rejected}`;
}

export function runDetail(r: Run): string {
  const lines = [
    runLine(r),
    `  code ${r.codeVersion}  contract hash ${r.contractHash.slice(0, 12)}  attempt ${r.attempt}${r.parentRunId ? `  parent ${r.parentRunId}` : ''}`,
  ];
  if (r.outputDigest) lines.push(`  output digest ${r.outputDigest}`);
  if (r.error) lines.push(`  error: ${r.error}`);
  for (const res of r.validation?.results ?? []) lines.push(...resultLines(res));
  return lines.join('\n');
}
