import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSON } from '../json-scalar';

@ObjectType({
  description:
    "A node's name in OpenLineage, as the run events Tidemark emits name it: raw batches are input datasets (namespace tidemark-raw, named by sha256), feature views output datasets (<environment>/<contract>/v<major>), contracts jobs, runs runs of their contract's job.",
})
export class OpenLineageRef {
  @Field(() => String, { description: 'dataset | job | run' }) type!: string;
  @Field(() => String) namespace!: string;
  @Field(() => String, { description: "The dataset's or job's name (a run: its contract's job)." })
  name!: string;
  @Field(() => String, { nullable: true, description: "A run's OpenLineage run id (a UUID)." })
  runId!: string | null;
}

@ObjectType({ description: 'A raw batch, a run, a contract version or a feature view.' })
export class LineageNode {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'raw_batch | run | contract_version | feature_view' }) kind!: string;
  @Field(() => String) label!: string;
  @Field(() => GraphQLJSON, { nullable: true }) attributes!: unknown;
  @Field(() => OpenLineageRef, { nullable: true }) openLineage!: OpenLineageRef | null;
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
