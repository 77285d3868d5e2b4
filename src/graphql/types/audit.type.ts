import { Field, ID, ObjectType } from 'type-graphql';
import { GraphQLJSON } from '../json-scalar';

@ObjectType({ description: 'One change: who, what, when, target, before and after. Append-only.' })
export class AuditEntry {
  @Field(() => ID) id!: string;
  @Field(() => Date) at!: Date;
  @Field(() => String) actor!: string;
  @Field(() => String, { description: 'e.g. contract.apply, contract.promote, run.trigger, run.rollback' })
  action!: string;
  @Field(() => String) targetKind!: string;
  @Field(() => String) targetId!: string;
  @Field(() => String, { nullable: true }) environment!: string | null;
  @Field(() => GraphQLJSON, { nullable: true }) before!: unknown;
  @Field(() => GraphQLJSON, { nullable: true }) after!: unknown;
  @Field(() => GraphQLJSON, { nullable: true }) details!: unknown;
}
