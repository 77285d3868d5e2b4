/**
 * Compatibility diff between two versions of one contract. Pure: two Contracts in,
 * a list of classified changes out. Matching is by identity (column name, feature
 * name, expectation `expect` + columns, filter expression), so reordering is cosmetic.
 *
 * Classification, from a consumer's point of view ("could a pipeline or a model
 * reading the previous version break, or silently read different data?"):
 *
 * breaking  column removed; type changed, widening integer → number included (typed
 *           consumers of an integer cannot read a fraction); a feature's served type
 *           changed; in_set value removed (when blocking); window op or length changed;
 *           required added; constraint tightened (minimum raised, maximum lowered,
 *           minLength raised, maxLength lowered, pattern added/changed, enum added,
 *           enum value removed, unique added); required column added; column `from`
 *           changed; feature removed; feature computation changed (column ↔ expr ↔
 *           window, column, expression, window op/column/rows/duration/offset);
 *           entity name or key changed; eventTime changed; blocking (reject/fail)
 *           expectation added or tightened; severity raised; filter added, removed
 *           or changed (the set of rows changes either way); source type changed;
 *           source parsing settings changed (delimiter, quote, header, nullValues,
 *           encoding); columns reordered in a headerless CSV (read by position);
 *           any key no rule knows (`unrecognized.changed`), to fail safe.
 * additive  optional column added; feature added; constraint loosened; required
 *           removed; enum value added; in_set value added; expectation removed,
 *           loosened, severity lowered; warn expectation added or tightened (warn
 *           blocks nothing).
 * cosmetic  descriptions (contract, entity, column, feature, expectation, filter),
 *           owner, tags, links, schedule, sla, policy (operational: when and how runs
 *           happen, not what a row is), source location/batching (path, subject,
 *           stream, batch), reordering, whitespace-only expression edits.
 *
 * The contract name is not compared: a different name is a different contract.
 */
import type { Contract } from '../domain/contract';
import type { ChangeClass, ContractChange } from './compatibility/change';
import { diffSchema } from './compatibility/columns';
import { diffContractLevel } from './compatibility/contract-level';
import { diffExpectations } from './compatibility/expectations';
import { diffFeatures } from './compatibility/features';

export type { ChangeClass, ContractChange } from './compatibility/change';

const CLASS_ORDER: Record<ChangeClass, number> = { breaking: 0, additive: 1, cosmetic: 2 };

/** Every change from `base` to `head`, most severe first, then in contract order. */
export function diffContracts(base: Contract, head: Contract): ContractChange[] {
  const changes = [
    ...diffContractLevel(base, head),
    ...diffSchema(base, head),
    ...diffFeatures(base, head),
    ...diffExpectations(base, head),
  ];
  // A stable sort keeps rule order within a class, so reports are deterministic.
  return changes.sort((a, b) => CLASS_ORDER[a.class] - CLASS_ORDER[b.class]);
}

/** The most severe class among the changes, or null when there are none. */
export function worstClass(changes: readonly ContractChange[]): ChangeClass | null {
  let worst: ChangeClass | null = null;
  for (const c of changes) if (worst === null || CLASS_ORDER[c.class] < CLASS_ORDER[worst]) worst = c.class;
  return worst;
}
