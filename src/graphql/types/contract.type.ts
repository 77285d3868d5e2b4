import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GraphQLJSON } from '../json-scalar';
import type { Contract as ContractSpec } from '../../domain/contract';

@ObjectType({ description: 'A column of a contract schema.' })
export class ColumnType {
  @Field(() => String) name!: string;
  @Field(() => String) type!: string;
  @Field(() => Boolean) required!: boolean;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'Constraints: enum, minimum, maximum, pattern, ...',
  })
  constraints?: Record<string, unknown>;
}

@ObjectType({ description: 'A feature: a column, a derived expression or a per-entity window.' })
export class FeatureDefinition {
  @Field(() => String) name!: string;
  @Field(() => String, { description: 'column | expr | window' }) kind!: string;
  @Field(() => GraphQLJSON) definition!: unknown;
  @Field(() => String, {
    description: 'int | float | string | bool | timestamp | date: declared in the contract, or inferred',
  })
  type!: string;
  @Field(() => String, { description: "Declared in the contract, or written from the feature's definition" })
  description!: string;
}

@ObjectType('Promotion', { description: 'A version made active in an environment.' })
export class PromotionType {
  @Field(() => ID) id!: string;
  @Field(() => String) version!: string;
  @Field(() => String) environment!: string;
  @Field(() => String, { nullable: true }) fromEnvironment!: string | null;
  @Field(() => String) state!: string;
  @Field(() => Date) at!: Date;
  @Field(() => String) by!: string;
}

@ObjectType({ description: 'One registered, immutable version of a data contract.' })
export class Contract {
  @Field(() => String) name!: string;
  @Field(() => String) version!: string;
  @Field(() => Int) major!: number;
  @Field(() => String) hash!: string;
  @Field(() => String) owner!: string;
  @Field(() => String, { nullable: true }) description?: string;
  @Field(() => String) entity!: string;
  @Field(() => [String]) entityKey!: string[];
  @Field(() => String) eventTime!: string;
  @Field(() => GraphQLJSON) source!: unknown;
  @Field(() => [ColumnType]) schema!: ColumnType[];
  @Field(() => [FeatureDefinition]) features!: FeatureDefinition[];
  @Field(() => GraphQLJSON) expectations!: unknown;
  @Field(() => GraphQLJSON, { nullable: true }) schedule?: unknown;
  @Field(() => String) yaml!: string;
  @Field(() => Date) registeredAt!: Date;
  @Field(() => String) registeredBy!: string;
  @Field(() => [String], { description: 'Environments where this version is active.' })
  environments!: string[];
  @Field(() => [String], { description: 'Every registered version of this contract, newest first.' })
  versions!: string[];
  @Field(() => [PromotionType]) promotions!: PromotionType[];
  /** The parsed contract, for field resolvers that derive from it (odcs); not itself a field. */
  spec!: ContractSpec;
}
