import { Field, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    "Who is calling: the key's owner and role (anonymous admin where keys are not required). The console shows only the actions this role may take; the server checks each call anyway.",
})
export class Viewer {
  @Field(() => String, { description: 'The name written in the audit trail.' }) actor!: string;
  @Field(() => String, {
    description: 'reader | writer | admin. Each includes what the ones before it may do.',
  })
  role!: string;
  @Field(() => [String], {
    description: 'The roles this one includes, itself first (admin: admin, writer, reader).',
  })
  roles!: string[];
  @Field(() => String, { nullable: true, description: "The API key's id; null for anonymous access." })
  keyId!: string | null;
}
