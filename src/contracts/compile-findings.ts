/**
 * The last layer of contract checking: compile the contract exactly as a run would
 * (cleanser, filters, quality checks, features) and report what fails, so a bad
 * expression, an expectation on the wrong column type or a window over a column
 * that history cannot carry fails in review, not at 6 a.m. in production.
 */
import type { Contract } from '../domain/contract';
import { finding, type Finding } from './locate';
import { TidemarkError } from '../errors';
import { transformIssues } from '../pipeline/transform';
import { compileCleanser } from '../pipeline/cleanse';
import { compileFilters } from '../pipeline/filter';
import { compileChecks } from '../quality';
import { typeFeatures } from './feature-type';

export function compileFindings(contract: Contract): Finding[] {
  const out: Finding[] = transformIssues(contract).map((i) => finding(i.path, withoutWhere(i.message)));
  // Types are worked out only for features that compile: an unknown name is reported once, above.
  if (out.length === 0) out.push(...typeFeatures(contract).problems.map((p) => finding(p.path, p.message)));
  out.push(...attempt(() => compileChecks(contract), '/expectations'));
  out.push(...attempt(() => compileFilters(contract), '/filters'));
  out.push(...attempt(() => compileCleanser(contract), '/schema'));
  return out;
}

function attempt(fn: () => unknown, fallbackPath: string): Finding[] {
  try {
    fn();
    return [];
  } catch (err) {
    if (!(err instanceof TidemarkError)) throw err;
    const path = typeof err.details?.path === 'string' ? err.details.path : fallbackPath;
    // The message already names the contract; the location says where.
    return [finding(path, withoutWhere(err.message.replace(/^contract [^:]+: /, '')))];
  }
}

/** A run's error names the expression (`features/fatality/expr: …`); the finding's pointer already does. */
function withoutWhere(message: string): string {
  return message.replace(/^(?:features|filters)\/[^:\s]+\/expr: /, '');
}
