/**
 * `tidemark contracts plan <file>`: what a proposed contract version would do to the
 * last runs' data. Against the local store by default; with `--url`, the server's
 * `planContract` query answers (the store the server sees).
 */
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, parseEnvironment } from '../config';
import { InputError } from '../errors';
import { DEFAULT_PLAN_RUNS, planContract } from '../contracts/plan/plan';
import { renderPlanText } from '../contracts/plan/plan-text';
import type { ContractPlan } from '../contracts/plan/plan.types';
import { command, withRuntime } from './run-command';
import { toJson } from './json';

interface PlanOpts {
  runs: number;
  env?: string;
  json?: boolean;
  url?: string;
  key?: string;
}

export function contractsPlanCommand(): Command {
  return new Command('plan')
    .description(
      "Replay the last runs' kept raw batches through the active and the proposed version: changed values, new rejects, verdicts, affected features (writes nothing)",
    )
    .argument('<file>', 'the proposed contract file')
    .option(
      '--runs <n>',
      'how many of the last succeeded runs to replay (1 to 50)',
      wholeNumber,
      DEFAULT_PLAN_RUNS,
    )
    .option(
      '--env <environment>',
      'environment whose active version and runs to compare with (default: TIDEMARK_ENV)',
    )
    .option('--json', 'print the plan as JSON')
    .option('--url <url>', 'ask this Tidemark server (its /graphql endpoint) instead of the local store')
    .addOption(new Option('--key <key>', 'API key for --url').env('TIDEMARK_API_KEY'))
    .action(
      command(async (file: string, opts: PlanOpts) => {
        const yaml = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new InputError(`cannot read ${file}: ${err.code ?? err.message}`);
        });
        const plan = opts.url ? await remotePlan(yaml, opts) : await localPlan(yaml, file, opts);
        process.stdout.write(opts.json ? toJson(plan) : renderPlanText(plan));
      }),
    );
}

async function localPlan(yaml: string, file: string, opts: PlanOpts): Promise<ContractPlan> {
  const config = loadConfig();
  const environment = opts.env ? parseEnvironment(opts.env, '--env') : config.defaultEnvironment;
  return withRuntime(
    (rt) =>
      planContract({ store: rt.store, rawStore: rt.rawStore }, yaml, { environment, runs: opts.runs, file }),
    config,
  );
}

const QUERY = `query Plan($yaml: String!, $runs: Int, $environment: String) {
  planContract(yaml: $yaml, runs: $runs, environment: $environment) { report }
}`;

interface GraphQLAnswer {
  data?: { planContract?: { report: ContractPlan } | null } | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

async function remotePlan(yaml: string, opts: PlanOpts): Promise<ContractPlan> {
  const url = endpoint(opts.url!);
  const key = opts.key;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        query: QUERY,
        variables: { yaml, runs: opts.runs, environment: opts.env ?? null },
      }),
    });
  } catch (err) {
    throw new InputError(`cannot reach ${url}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  const body = (await res.json().catch(() => null)) as GraphQLAnswer | null;
  const error = body?.errors?.[0];
  if (error)
    throw new InputError(
      `${new URL(url).host} answered ${error.extensions?.code ?? 'an error'}: ${error.message}`,
    );
  const plan = body?.data?.planContract?.report;
  if (!plan) throw new InputError(`${url} answered HTTP ${res.status} without a plan`);
  return plan;
}

/** `https://host` and `https://host/graphql` both mean the GraphQL endpoint. */
function endpoint(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new InputError(`--url must be an http(s) URL; got '${raw}'`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new InputError(`--url must be http or https; got '${raw}'`);
  if (!u.pathname.endsWith('/graphql')) u.pathname = u.pathname.replace(/\/?$/, '/graphql');
  return u.toString();
}

function wholeNumber(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a whole number');
  return Number(v);
}
