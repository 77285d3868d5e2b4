import { Arg, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { RunConnection } from '../types/run.type';
import { ApplyResult, ContractDiff } from '../types/apply.type';
import { Contract } from '../types/contract.type';
import type { GraphQLContext } from '../context';
import { given } from '../given';
import { parseEnvironment } from '../../config';
import { odcsStatus, toOdcsYaml } from '../../contracts/odcs/export';

@Resolver(() => Contract)
export class ContractResolver {
  @Query(() => [Contract], {
    description: 'Registered contract versions; with `environment`, only those active there.',
  })
  async contracts(
    @Ctx() ctx: GraphQLContext,
    @Arg('environment', () => String, { nullable: true }) environment?: string,
  ): Promise<Contract[]> {
    const env = environment ? parseEnvironment(environment) : undefined;
    return ctx.services.contracts.list(env);
  }

  @Query(() => Contract, {
    nullable: true,
    description: 'One contract version (default: newest active in dev).',
  })
  async contract(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('version', () => String, { nullable: true }) version?: string | null,
  ): Promise<Contract | null> {
    return ctx.services.contracts.get(name, given(version));
  }

  @Query(() => ContractDiff, {
    description:
      'Two registered versions of a contract compared: each change with its rule and class, and the version bump it needs.',
  })
  contractDiff(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('from', () => String, { description: 'Exact version, e.g. 1.0.0.' }) from: string,
    @Arg('to', () => String, { description: 'Exact version, e.g. 2.0.0.' }) to: string,
  ): Promise<ContractDiff> {
    return ctx.services.contracts.diff(name, from, to);
  }

  @FieldResolver(() => RunConnection, {
    description: 'The latest runs of this contract version, newest first.',
  })
  latestRuns(
    @Root() contract: Contract,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { defaultValue: 5 }) first: number,
  ): Promise<RunConnection> {
    return ctx.services.runs.list({ contract: contract.name, contractVersion: contract.version, first });
  }

  @FieldResolver(() => String, {
    description:
      "This version as an Open Data Contract Standard (ODCS v3.1.0) YAML document, valid against the standard's JSON Schema; status is active where the version is active, proposed otherwise.",
  })
  odcs(@Root() contract: Contract): string {
    return toOdcsYaml(contract.spec, { status: odcsStatus(contract.environments) });
  }

  @Authorized('admin')
  @Mutation(() => ApplyResult, {
    description: 'Registers a contract version (immutable); answers with its compatibility report.',
  })
  applyContract(@Ctx() ctx: GraphQLContext, @Arg('yaml', () => String) yaml: string): Promise<ApplyResult> {
    return ctx.services.contracts.apply(yaml, ctx.actor);
  }

  @Authorized('admin')
  @Mutation(() => Contract, {
    description: 'Moves a version up one environment when the promotion policy holds.',
  })
  promoteContract(
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String) name: string,
    @Arg('version', () => String) version: string,
    @Arg('to', () => String) to: string,
  ): Promise<Contract> {
    return ctx.services.contracts.promote(name, version, to, ctx.actor);
  }
}
