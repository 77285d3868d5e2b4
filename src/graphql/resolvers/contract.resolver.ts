import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { Contract } from '../types/contract.type';
import type { GraphQLContext } from '../context';
import { parseEnvironment } from '../../config';

@Resolver(() => Contract)
export class ContractResolver {
  @Query(() => [Contract], { description: 'Registered contract versions; with `environment`, only those active there.' })
  async contracts(
    @Ctx() ctx: GraphQLContext,
    @Arg('environment', () => String, { nullable: true }) environment?: string,
  ): Promise<Contract[]> {
    const env = environment ? parseEnvironment(environment) : undefined;
    return ctx.services.contracts.list(env);
  }

  @Query(() => Contract, { nullable: true, description: 'One contract version (default: newest active in dev).' })
  async contract(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('version', () => String, { nullable: true }) version?: string,
  ): Promise<Contract | null> {
    return ctx.services.contracts.get(name, version);
  }
}
