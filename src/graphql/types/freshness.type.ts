import { Field, Float, ObjectType } from 'type-graphql';

@ObjectType({
  description: "How fresh a contract's feature view is in one environment, against its sla.freshness.",
})
export class Freshness {
  @Field(() => String) environment!: string;
  @Field(() => Date, {
    nullable: true,
    description: 'The newest event time among the rows visible now; null when none.',
  })
  newestEventTime!: Date | null;
  @Field(() => Float, { nullable: true, description: 'Seconds from newestEventTime to now.' })
  ageSeconds!: number | null;
  @Field(() => String, {
    nullable: true,
    description: 'The ISO-8601 duration of sla.freshness; null when none is set.',
  })
  sla!: string | null;
  @Field(() => Boolean, {
    description: 'Older than the SLA (or, with no rows yet, active for longer than the SLA).',
  })
  stale!: boolean;
}
