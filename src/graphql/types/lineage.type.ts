import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSON } from '../json-scalar';

@ObjectType({ description: 'A raw batch, a run, a contract version or a feature view.' })
export class LineageNode {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'raw_batch | run | contract_version | feature_view' }) kind!: string;
  @Field(() => String) label!: string;
  @Field(() => GraphQLJSON, { nullable: true }) attributes!: unknown;
}

@ObjectType()
export class LineageEdge {
  @Field(() => ID) from!: string;
  @Field(() => ID) to!: string;
  @Field(() => String, { description: 'read_by | applied_in | wrote' }) relation!: string;
  @Field(() => GraphQLJSON, { nullable: true }) attributes!: unknown;
}

@ObjectType({ description: 'raw batch → run (contract + code version) → feature view.' })
export class LineageGraph {
  @Field(() => [LineageNode]) nodes!: LineageNode[];
  @Field(() => [LineageEdge]) edges!: LineageEdge[];
}
