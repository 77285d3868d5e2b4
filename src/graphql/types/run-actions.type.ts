import { Field, Int, ObjectType } from 'type-graphql';
import { Run } from './run.type';

@ObjectType({
  description: 'What rollbackRun would change now, asked before it is done: nothing is changed by asking.',
})
export class RollbackPreview {
  @Field(() => Boolean, { description: 'Whether rollbackRun would be accepted for this run now.' })
  allowed!: boolean;
  @Field(() => String, { nullable: true, description: 'Why it would be refused; null when allowed.' })
  refusal!: string | null;
  @Field(() => Int, { description: 'Feature rows of this run that stop being visible.' })
  rowsHidden!: number;
  @Field(() => [Run], {
    description:
      "Later runs of the same feature view that read this run's rows and are reprocessed (window features; policy.onRollback).",
  })
  reprocessed!: Run[];
}
