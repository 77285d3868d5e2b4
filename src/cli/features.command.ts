/** `tidemark features`: feature vectors for entities as of a point in time. */
import { Command, Option } from 'commander';
import { loadConfig, parseEnvironment } from '../config';
import { InputError } from '../errors';
import { toJson } from './json';
import { command, withRuntime } from './run-command';

export function featuresCommand(): Command {
  return (
    new Command('features')
      .description('Print feature vectors for entities as of a time (JSON)')
      .argument('<contract>', 'contract name')
      .requiredOption('--entity <key...>', 'entity key(s); a JSON object for composite keys')
      .option('--as-of <time>', 'event-time cut-off (ISO-8601, default now)')
      .option('--known-at <time>', 'as the store knew it at this system time (ISO-8601)')
      .option('--contract-version <version>', 'exact contract version (1.2.0) or major (1)')
      // The name used before --contract-version; kept working, shown once in the help.
      .addOption(new Option('--version <version>', 'same as --contract-version'))
      .option('--features <names>', 'comma-separated feature names (default all)')
      .option('--env <environment>')
      .action(
        command(
          async (
            contract: string,
            opts: {
              entity: string[];
              asOf?: string;
              knownAt?: string;
              contractVersion?: string;
              version?: string;
              features?: string;
              env?: string;
            },
          ) => {
            if (opts.contractVersion && opts.version && opts.contractVersion !== opts.version)
              throw new InputError(
                `--contract-version ${opts.contractVersion} and --version ${opts.version} disagree; give one`,
              );
            const config = loadConfig();
            const environment = opts.env ? parseEnvironment(opts.env, '--env') : config.defaultEnvironment;
            const vectors = await withRuntime(
              (rt) =>
                rt.features.features({
                  contract,
                  version: opts.contractVersion ?? opts.version,
                  entities: opts.entity.map(parseEntity),
                  features: opts.features?.split(',').map((s) => s.trim()),
                  asOf: opts.asOf ? parseTime(opts.asOf, '--as-of') : undefined,
                  knownAt: opts.knownAt ? parseTime(opts.knownAt, '--known-at') : undefined,
                  environment,
                }),
              config,
            );
            process.stdout.write(toJson(vectors.map(({ features: _f, ...v }) => v)));
          },
        ),
      )
  );
}

function parseEntity(s: string): unknown {
  return s.trim().startsWith('{') ? JSON.parse(s) : s;
}

/** A date (midnight UTC) or an ISO 8601 date-time with its zone, as GraphQL's DateTime takes them. */
const ISO_TIME = /^\d{4}-\d\d-\d\d(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d))?$/;

function parseTime(s: string, flag: string): Date {
  const refuse = () =>
    new InputError(`${flag} '${s}' is neither a date-time (2020-03-15T12:00:00Z) nor a date (2020-03-15)`);
  if (!ISO_TIME.test(s)) throw refuse();
  const d = new Date(s.length === 10 ? `${s}T00:00:00Z` : s);
  // 2020-02-30 parses as 1 March: a date must name its own day.
  if (Number.isNaN(d.getTime()) || (s.length === 10 && !d.toISOString().startsWith(s))) throw refuse();
  return d;
}
