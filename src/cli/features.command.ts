/** `tidemark features`: feature vectors for entities as of a point in time. */
import { Command, Option } from 'commander';
import { loadConfig, parseEnvironment } from '../config';
import { InputError } from '../errors';
import { toJson } from './json';
import { command, withRuntime } from './run-command';
import { parseTime } from './time';
import { remoteFrom, remoteGraphql } from './remote';

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
      .option('--url <url>', 'a Tidemark server to ask (default TIDEMARK_URL; none: the local store)')
      .option('--key <key>', 'API key for --url (default TIDEMARK_API_KEY)')
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
              url?: string;
              key?: string;
            },
          ) => {
            if (opts.contractVersion && opts.version && opts.contractVersion !== opts.version)
              throw new InputError(
                `--contract-version ${opts.contractVersion} and --version ${opts.version} disagree; give one`,
              );
            const query = {
              contract,
              version: opts.contractVersion ?? opts.version,
              entities: opts.entity.map(parseEntity),
              features: opts.features?.split(',').map((s) => s.trim()),
              asOf: opts.asOf ? parseTime(opts.asOf, '--as-of') : undefined,
              knownAt: opts.knownAt ? parseTime(opts.knownAt, '--known-at') : undefined,
            };
            const remote = remoteFrom({ url: opts.url, key: opts.key });
            if (remote) {
              const data = await remoteGraphql<{ features: unknown[] }>(remote, REMOTE_FEATURES, {
                ...query,
                environment: opts.env ? parseEnvironment(opts.env, '--env') : undefined,
              });
              process.stdout.write(toJson(data.features));
              return;
            }
            const config = loadConfig();
            const environment = opts.env ? parseEnvironment(opts.env, '--env') : config.defaultEnvironment;
            const vectors = await withRuntime(
              (rt) => rt.features.features({ ...query, environment }),
              config,
            );
            process.stdout.write(toJson(vectors.map(({ features: _f, ...v }) => v)));
          },
        ),
      )
  );
}

/** The same vectors as the local read prints, field for field. */
const REMOTE_FEATURES = `query($contract: String!, $version: String, $entities: [JSON!]!, $features: [String!],
  $asOf: DateTime, $knownAt: DateTime, $environment: String) {
  features(contract: $contract, version: $version, entities: $entities, features: $features,
           asOf: $asOf, knownAt: $knownAt, environment: $environment) {
    entity timestamp eventTime values runId contractVersion
  }
}`;

function parseEntity(s: string): unknown {
  return s.trim().startsWith('{') ? JSON.parse(s) : s;
}
