import { Field, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'Who is calling: the key’s owner and role (or anonymous development access), so a client can hide what the role cannot do.',
})
export class Viewer {
  @Field(() => String, { description: 'The name the audit trail records for this caller.' })
  actor!: string;
  @Field(() => String, {
    description: 'reader | writer | admin. Each includes what the ones before it may do.',
  })
  role!: string;
  @Field(() => String, { nullable: true, description: 'The API key’s id; null for anonymous access.' })
  keyId!: string | null;
}
