/**
 * A run's warnings: its `warn` expectations that did not hold. A warning blocks
 * nothing, so a run with warnings still succeeds; the count is kept with the run
 * (runs.warnings) so "succeeded with warnings" is a filter the store answers.
 */
import type { ValidationReport } from './report.types';

export function warningCount(report: ValidationReport | null | undefined): number {
  if (!report) return 0;
  return report.results.filter((r) => !r.success && r.severity === 'warn').length;
}
