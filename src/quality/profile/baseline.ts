/**
 * The baseline a drift expectation compares with: the merged profile of the runs it
 * names, and which runs those were (the report shows them). Loaded by the executor
 * before validation (pipeline/baseline-stage.ts) and handed to the checks in the
 * validation context, so the checks themselves stay pure.
 */
import type { Profile } from './profile';

export interface Baseline {
  /** Null when no run qualifies yet (a first run): the expectation passes with a note. */
  profile: Profile | null;
  /** The runs merged, newest first. */
  runIds: string[];
  /** How the baseline was chosen, as the contract says it: `last 5 runs`, `run run_…`. */
  description: string;
}

import type { BaselineSpec } from '../../domain/profile';
export type { BaselineSpec } from '../../domain/profile';

export const DEFAULT_BASELINE: BaselineSpec = { last: 5 };

export function describeBaseline(spec: BaselineSpec): string {
  return 'run' in spec ? `run ${spec.run}` : `last ${spec.last} succeeded run${spec.last === 1 ? '' : 's'}`;
}
