import { Field, ObjectType } from 'type-graphql';
import { Contract } from './contract.type';

@ObjectType({ description: 'One change between two versions of a contract.' })
export class ContractChange {
  @Field(() => String, { description: 'Stable rule id, e.g. column.removed' }) rule!: string;
  @Field(() => String, { description: 'breaking | additive | cosmetic' }) class!: string;
  @Field(() => String) path!: string;
  @Field(() => String) message!: string;
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
