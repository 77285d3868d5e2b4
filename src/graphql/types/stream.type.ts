import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description: "A stream consumer: one contract's nats or redis-stream source in one environment.",
})
export class StreamStatus {
  @Field(() => String) contract!: string;
  @Field(() => String, { description: 'The active version its micro-batches run under.' })
  contractVersion!: string;
  @Field(() => String) environment!: string;
  @Field(() => String, { description: 'nats or redis-stream.' }) source!: string;
  @Field(() => String, { description: 'The NATS subject, or the Redis stream key.' }) endpoint!: string;
  @Field(() => String, {
    nullable: true,
    description: 'The JetStream durable consumer, or the Redis consumer group.',
  })
  consumer!: string | null;
  @Field(() => Boolean) connected!: boolean;
  @Field(() => String, {
    nullable: true,
    description:
      'The committed position (stream sequence or entry id): the last message whose rows are stored.',
  })
  lastPosition!: string | null;
  @Field(() => Int, { nullable: true, description: 'Messages the broker has not delivered yet.' })
  lag!: number | null;
  @Field(() => Int, { nullable: true, description: 'Messages delivered and not acknowledged yet.' })
  unacknowledged!: number | null;
  @Field(() => Int, { description: 'Messages held in memory, not committed yet.' }) inMemory!: number;
  @Field(() => String, {
    nullable: true,
    description: 'The last micro-batch run; while paused, the run that failed.',
  })
  lastRunId!: string | null;
  @Field(() => Boolean, { description: 'A micro-batch failed: nothing is consumed until resumeStream.' })
  paused!: boolean;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'What the micro-batch in flight waits for: another run holding the lane, by whom and until when its lease holds.',
  })
  waitingFor!: string | null;
}
