import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { GraphQLJSON } from '../json-scalar';

// Plain data with no middleware or role on any field: graphql-js's default resolver reads
// each field (simpleResolvers) instead of a type-graphql wrapper per field per vector.
@ObjectType({ description: 'One feature value with its type.', simpleResolvers: true })
export class FeatureValue {
  @Field(() => String) name!: string;
  @Field(() => GraphQLJSON, { nullable: true }) value!: unknown;
  @Field(() => String) type!: string;
}

@ObjectType({ description: 'The feature values of one entity at one point in time.', simpleResolvers: true })
export class FeatureVector {
  @Field(() => GraphQLJSON, {
    description: 'Scalar for one-column keys, {column: value} for composite keys.',
  })
  entity!: unknown;
  @Field(() => Date, {
    nullable: true,
    description: 'The requested time: asOf, or the training row timestamp.',
  })
  timestamp!: Date | null;
  @Field(() => Date, {
    nullable: true,
    description: 'Event time of the matched feature row; null when none matched.',
  })
  eventTime!: Date | null;
  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'Feature name → value; null when nothing matched.',
  })
  values!: unknown;
  @Field(() => [FeatureValue]) features!: FeatureValue[];
  @Field(() => ID, { nullable: true }) runId!: string | null;
  @Field(() => String, { nullable: true }) contractVersion!: string | null;
}

@InputType({ description: 'One row of a training set request.' })
export class EntityTimestampInput {
  @Field(() => GraphQLJSON) entity!: unknown;
  @Field(() => Date) timestamp!: Date;
}
