import { Field, ObjectType } from 'type-graphql';
import { Contract } from './contract.type';
import { GraphQLJSON } from '../json-scalar';

@ObjectType({ description: 'One change between two versions of a contract.' })
export class ContractChange {
  @Field(() => String, { description: 'Stable rule id, e.g. column.removed' }) rule!: string;
  @Field(() => String, { description: 'breaking | additive | cosmetic' }) class!: string;
  @Field(() => String) path!: string;
  @Field(() => String) message!: string;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The value before (absent when added).' })
  before?: unknown;
  @Field(() => GraphQLJSON, { nullable: true, description: 'The value after (absent when removed).' })
  after?: unknown;
}

@ObjectType()
export class CompatibilityReport {
  @Field(() => String, { nullable: true, description: 'The registered version compared against.' })
  against!: string | null;
  @Field(() => String, { description: 'major | minor | patch | none' }) requiredBump!: string;
  @Field(() => String) verdict!: string;
  @Field(() => [ContractChange]) changes!: ContractChange[];
}

@ObjectType()
export class ApplyResult {
  @Field(() => Contract) contract!: Contract;
  @Field(() => String, { description: 'registered | unchanged' }) status!: string;
  @Field(() => CompatibilityReport) compatibility!: CompatibilityReport;
}

@ObjectType({
  description: 'Two registered versions of one contract compared, as `applyContract` compares them.',
})
export class ContractDiff {
  @Field(() => String) name!: string;
  @Field(() => Contract) from!: Contract;
  @Field(() => Contract) to!: Contract;
  @Field(() => String, {
    description: 'major | minor | patch | none: what the changes from `from` to `to` need.',
  })
  requiredBump!: string;
  @Field(() => String, { description: 'major | minor | patch | none | downgrade: the bump `to` makes.' })
  actualBump!: string;
  @Field(() => Boolean, { description: 'Whether the bump made covers the bump needed.' })
  bumpOk!: boolean;
  @Field(() => String, { description: 'The bump check in one sentence.' }) verdict!: string;
  @Field(() => [ContractChange], { description: 'Most severe first.' }) changes!: ContractChange[];
}
