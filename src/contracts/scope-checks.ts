/**
 * Rules of `scope: view` and of no_gaps' `interval` (see quality/view-checks.ts): which
 * expectations accept the view scope and in what form, so `contracts lint` points at the
 * offending line instead of the first run failing to compile the contract.
 */
import { type Contract, type ExpectationSpec, VIEW_SCOPE_EXPECTATIONS } from '../domain/contract';
import { positiveDurationProblem } from '../lib/duration';
import { type Finding, finding } from './locate';

export function expectationScopes(c: Contract): Finding[] {
  return c.expectations.flatMap((e, i) => [
    ...interval(e, `/expectations/${i}`),
    ...viewScope(c, e, `/expectations/${i}`),
  ]);
}

function interval(e: ExpectationSpec, at: string): Finding[] {
  const problem = e.interval === undefined ? undefined : positiveDurationProblem(e.interval);
  return problem ? [finding(`${at}/interval`, problem)] : [];
}

function viewScope(c: Contract, e: ExpectationSpec, at: string): Finding[] {
  if (e.scope !== 'view') return [];
  if (!VIEW_SCOPE_EXPECTATIONS.includes(e.expect)) {
    const accepted = VIEW_SCOPE_EXPECTATIONS.join(', ');
    return [finding(`${at}/scope`, `expect '${e.expect}' does not accept scope: view (only ${accepted} do)`)];
  }
  if (e.severity === 'reject') {
    return [
      finding(
        `${at}/severity`,
        'a scope: view expectation has no batch row to reject: use severity fail (the run rolls back) or warn',
      ),
    ];
  }
  const identity = [...c.entity.key, c.eventTime];
  if (e.expect === 'compound_unique' && e.columns !== undefined) {
    const same = e.columns.length === identity.length && identity.every((k) => e.columns!.includes(k));
    if (!same)
      return [
        finding(
          `${at}/columns`,
          `compound_unique with scope: view checks the entity key and event time (${identity.join(', ')}), not other columns`,
        ),
      ];
  }
  if (e.expect === 'fresh_within' && e.column !== undefined && e.column !== c.eventTime) {
    return [
      finding(
        `${at}/column`,
        `fresh_within with scope: view reads the event time '${c.eventTime}', not '${e.column}'`,
      ),
    ];
  }
  return [];
}
