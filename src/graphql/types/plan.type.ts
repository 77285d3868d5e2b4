import { Field, Float, Int, ObjectType } from 'type-graphql';
import { GraphQLJSON } from '../json-scalar';

@ObjectType({ description: "How one feature's values would change over the replayed runs." })
export class PlanFeatureChange {
  @Field(() => String) feature!: string;
  @Field(() => String, { description: 'changed | unchanged | added | removed' }) status!: string;
  @Field(() => Int, { description: 'Rows both versions write, compared.' }) rowsCompared!: number;
  @Field(() => Int) rowsChanged!: number;
  @Field(() => Float, { nullable: true, description: 'The largest |proposed − active| of a numeric value.' })
  maxAbsDiff!: number | null;
  @Field(() => Int, { description: 'Values that were not null and would be.' }) becomeNull!: number;
  @Field(() => GraphQLJSON, { description: 'A few changed rows: entity, eventTime, active, proposed.' })
  sample!: unknown;
}

@ObjectType({ description: 'Rows one rule would newly reject (or no longer reject).' })
export class PlanRejectChange {
  @Field(() => String, { description: 'An expectation name, required, coerce, schema…' }) rule!: string;
  @Field(() => String, { nullable: true }) column?: string;
  @Field(() => Int) rows!: number;
  @Field(() => GraphQLJSON, { description: 'A few of the rows: runId, rawBatchId, rowNumber.' })
  sample!: unknown;
}

@ObjectType({ description: 'An expectation whose verdict or count of unexpected rows changes in one run.' })
export class PlanExpectationChange {
  @Field(() => String) runId!: string;
  @Field(() => String, { description: 'e.g. between(amount); schema for the column rules.' })
  expectation!: string;
  @Field(() => String) severity!: string;
  @Field(() => GraphQLJSON, {
    nullable: true,
    description: '{ success, unexpectedCount }; null: not in this version.',
  })
  active!: unknown;
  @Field(() => GraphQLJSON, { nullable: true }) proposed!: unknown;
}

@ObjectType({ description: 'A feature the change reaches: its definition, or something it reads.' })
export class PlanAffectedFeature {
  @Field(() => String) feature!: string;
  @Field(() => String) reason!: string;
}

@ObjectType({
  description: "What a proposed contract version would do to the last runs' data. Nothing is written.",
})
export class ContractPlan {
  @Field(() => String) contract!: string;
  @Field(() => String) environment!: string;
  @Field(() => String) proposedVersion!: string;
  @Field(() => String, { nullable: true, description: 'The active version compared with.' })
  activeVersion!: string | null;
  @Field(() => Int) runsReplayed!: number;
  @Field(() => [PlanFeatureChange]) features!: PlanFeatureChange[];
  @Field(() => [PlanRejectChange]) newlyRejected!: PlanRejectChange[];
  @Field(() => [PlanRejectChange]) noLongerRejected!: PlanRejectChange[];
  @Field(() => Int, { description: 'Rows the active version writes and the proposed one would not.' })
  rowsDropped!: number;
  @Field(() => Int) rowsAdded!: number;
  @Field(() => [PlanExpectationChange]) expectations!: PlanExpectationChange[];
  @Field(() => [PlanAffectedFeature]) affected!: PlanAffectedFeature[];
  @Field(() => Float, { description: "The proposed version's replay time over these runs, ms." })
  proposedMs!: number;
  @Field(() => Float) activeMs!: number;
  @Field(() => [String]) notes!: string[];
  @Field(() => String, { description: 'The plan as the CLI prints it.' }) text!: string;
  @Field(() => GraphQLJSON, { description: 'The whole plan as JSON (what `contracts plan --json` prints).' })
  report!: unknown;
}
