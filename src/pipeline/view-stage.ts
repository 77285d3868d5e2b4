/**
 * The view-scope expectations, inside the commit transaction once the run's feature
 * rows are written and before the run is marked succeeded: they read the view as this
 * commit will leave it. A `fail` that does not hold throws RunValidationError, which
 * rolls the whole transaction back (no feature row, reject or edge stays) and fails the
 * run with the merged report; a `warn` only lands in the report the run keeps.
 */
import type { Repositories } from '../store/store';
import type { ValidationReport } from '../domain/validation-report';
import { runViewChecks, withViewResults, type ViewCheck } from '../quality/view-checks';
import { RunValidationError } from './run-failure';
import type { Run } from '../domain/run';

export interface ViewStage {
  checks: readonly ViewCheck[];
  /** The run's clock at validation, which freshness is measured against. */
  now: number;
}

export async function checkView(
  tx: Repositories,
  stage: ViewStage | undefined,
  req: { run: Run; report: ValidationReport; supersedes: Run | null; newest: number | null },
): Promise<ValidationReport> {
  if (!stage || stage.checks.length === 0) return req.report;
  const { run } = req;
  const reader = tx.viewChecks.reader({
    environment: run.environment,
    contract: run.contractName,
    major: run.contractMajor,
    runId: run.id,
    replaces: req.supersedes?.id ?? null,
    ownNewest: req.newest,
  });
  const report = withViewResults(req.report, await runViewChecks(stage.checks, reader, stage.now));
  if (!report.success) throw new RunValidationError(report);
  return report;
}
