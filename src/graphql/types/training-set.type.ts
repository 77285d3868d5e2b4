import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { GraphQLJSON } from '../json-scalar';
import { FeatureValue } from './feature.type';

@ObjectType({
  description: 'Which stored row of one feature view a training row drew on.',
  simpleResolvers: true,
})
export class ViewMatch {
  @Field(() => String) contract!: string;
  @Field(() => Int) major!: number;
  @Field(() => Date, {
    nullable: true,
    description: 'Event time of the matched row; null when none matched.',
  })
  eventTime!: Date | null;
  @Field(() => String, { nullable: true }) runId!: string | null;
  @Field(() => String, { nullable: true }) contractVersion!: string | null;
}

@ObjectType({
  description: 'One row of a multi-view training set: the spine row and the features of every view.',
  simpleResolvers: true,
})
export class TrainingRow {
  @Field(() => GraphQLJSON, { description: 'The spine row’s entity, as given.' })
  entity!: unknown;
  @Field(() => Date) timestamp!: Date;
  @Field(() => GraphQLJSON, {
    description: 'Output column → value (null where its view matched nothing).',
  })
  values!: unknown;
  @Field(() => [FeatureValue]) features!: FeatureValue[];
  @Field(() => [ViewMatch]) views!: ViewMatch[];
}

@InputType({ description: 'A view key column read from a differently named spine column.' })
export class KeyColumnInput {
  @Field(() => String, { description: 'The entity key column of the view.' }) column!: string;
  @Field(() => String, { description: 'The spine column (entity object key) it is read from.' })
  from!: string;
}

@InputType({ description: 'One feature view of a multi-view training set.' })
export class TrainingViewInput {
  @Field(() => String) contract!: string;
  @Field(() => String, { nullable: true, description: 'Exact version (1.2.0) or major (1).' })
  version?: string | null;
  @Field(() => [String], { nullable: true, description: 'Default: all (or those named in features).' })
  features?: string[] | null;
  @Field(() => String, {
    nullable: true,
    description: 'ISO-8601 duration: values older than this at the row’s time count as missing.',
  })
  ttl?: string | null;
  @Field(() => [KeyColumnInput], { nullable: true }) keyMap?: KeyColumnInput[] | null;
}
