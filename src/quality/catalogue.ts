/**
 * The expectation catalogue: every name DESIGN.md lists → how it compiles. Typed as a
 * Record over ExpectationName so adding a name to contract.types.ts without an
 * implementation here is a compile error, not a run-time surprise.
 */
import type { ExpectationName } from '../domain/contract';
import type { Check } from './checks.types';
import type { CompileEnv } from './compile-env';
import * as row from './row-expectations';
import * as table from './table-expectations';
import { compoundUnique, unique } from './uniqueness';
import { noGaps } from './gaps';
import { distributionStable, nullRateStable } from './drift-expectations';

export type CompileExpectation = (env: CompileEnv) => Check;

export const CATALOGUE: Record<ExpectationName, CompileExpectation> = {
  not_null: row.notNull,
  between: row.between,
  in_set: row.inSet,
  not_in_set: row.notInSet,
  match_regex: row.matchRegex,
  length_between: row.lengthBetween,
  of_type: row.ofType,
  increasing: row.increasing,
  non_decreasing: row.nonDecreasing,
  no_future_event_time: row.noFutureEventTime,
  row_count_between: table.rowCountBetween,
  unique,
  compound_unique: compoundUnique,
  min_between: table.minBetween,
  max_between: table.maxBetween,
  mean_between: table.meanBetween,
  median_between: table.medianBetween,
  sum_between: table.sumBetween,
  stdev_between: table.stdevBetween,
  unique_proportion_between: table.uniqueProportionBetween,
  distinct_values_in_set: table.distinctValuesInSet,
  columns_match_set: table.columnsMatchSet,
  fresh_within: table.freshWithin,
  no_gaps: noGaps,
  distribution_stable: distributionStable,
  null_rate_stable: nullRateStable,
};
