/** Run commands: run, runs, inspect, rollback, reprocess. */
import { Command, Option } from 'commander';
import { loadConfig, parseEnvironment } from '../config';
import { RUN_STATUSES, RUN_TRIGGERS, type Run, type RunStatus, type RunTrigger } from '../domain/run';
import { toJson, statusName, parseStatus } from './json';
import { command, withRuntime } from './run-command';
import { progressReporter, endProgress } from './progress';
import { runDetail, runLine } from './format';
import { rejectLines } from './report-format';

const exitFor = (r: Run) => (r.status === 'failed' ? 1 : 0);

export function runCommands(): Command[] {
  const run = new Command('run')
    .description("Run a contract's active version over the new files in its landing location")
    .argument('<contract>', 'contract name')
    .option('--env <environment>', 'environment (default: TIDEMARK_ENV or dev)')
    .option('--file <path>', 'one file inside the landing directory instead of the contract glob')
    .option('--force', 'run files again even when their content was ingested before')
    .action(
      command(async (contract: string, opts: { env?: string; file?: string; force?: boolean }) => {
        const config = loadConfig();
        const environment = opts.env ? parseEnvironment(opts.env, '--env') : config.defaultEnvironment;
        const r = await withRuntime(
          (rt) =>
            rt.runs.trigger({
              contract,
              environment,
              actor: config.operator,
              file: opts.file,
              force: opts.force,
              progress: progressReporter(rt.logger),
            }),
          config,
        );
        endProgress();
        process.stdout.write(runDetail(r) + '\n');
        return exitFor(r);
      }),
    );

  const runs = new Command('runs')
    .description('List runs, newest first')
    .option('--contract <name>')
    .addOption(
      new Option('--status <status>', `${RUN_STATUSES.map(statusName).join(', ')} (any case)`).argParser(
        parseStatus,
      ),
    )
    .addOption(new Option('--trigger <trigger>').choices([...RUN_TRIGGERS]))
    .option('--env <environment>')
    .option('--limit <n>', 'how many', (v) => Number(v), 20)
    .option('--json', 'print JSON')
    .action(
      command(
        async (opts: {
          contract?: string;
          status?: RunStatus;
          trigger?: RunTrigger;
          env?: string;
          limit: number;
          json?: boolean;
        }) => {
          const environment = opts.env ? parseEnvironment(opts.env, '--env') : undefined;
          const page = await withRuntime((rt) =>
            rt.store.runs.list(
              { contract: opts.contract, status: opts.status, trigger: opts.trigger, environment },
              opts.limit,
            ),
          );
          if (opts.json) process.stdout.write(toJson(page.runs));
          else for (const r of page.runs) process.stdout.write(runLine(r) + '\n');
        },
      ),
    );

  const inspect = new Command('inspect')
    .description('Show one run: counts, versions, validation report and a sample of rejects')
    .argument('<run>', 'run id')
    .option('--json', 'print JSON')
    .action(
      command(async (id: string, opts: { json?: boolean }) => {
        const { r, rejects } = await withRuntime(async (rt) => {
          const r = await rt.runs.get(id);
          return { r, rejects: await rt.store.rejects.forRun(id, 10) };
        });
        if (opts.json) {
          process.stdout.write(toJson({ ...r, rejects }));
          return;
        }
        process.stdout.write(runDetail(r) + '\n');
        for (const line of rejectLines(rejects)) process.stdout.write(line + '\n');
      }),
    );

  const rollback = new Command('rollback')
    .description(
      'Roll a succeeded run back: its rows stop being visible, earlier values return (nothing is deleted)',
    )
    .argument('<run>', 'run id')
    .action(
      command(async (id: string) => {
        const config = loadConfig();
        // The later runs whose windows read the rolled-back rows are reprocessed before the process ends.
        const { run, dependents } = await withRuntime(
          (rt) => rt.runs.rollbackAndReprocess(id, config.operator, true),
          config,
        );
        process.stdout.write(runLine(run) + '\n');
        for (const d of dependents)
          process.stdout.write(`  reprocessed later run ${d.parentRunId}: ${runLine(d)}\n`);
        return dependents.some((d) => d.status === 'failed') ? 1 : 0;
      }),
    );

  const reprocess = new Command('reprocess')
    .description("Run an earlier run's kept raw batches again (same or another contract version)")
    .argument('<run>', 'run id')
    .option('--contract-version <version>', "contract version to use (default: the run's own)")
    .action(
      command(async (id: string, opts: { contractVersion?: string }) => {
        const config = loadConfig();
        const r = await withRuntime(
          (rt) =>
            rt.runs.reprocess(id, {
              contractVersion: opts.contractVersion,
              actor: config.operator,
              progress: progressReporter(rt.logger),
            }),
          config,
        );
        endProgress();
        process.stdout.write(runDetail(r) + '\n');
        return exitFor(r);
      }),
    );

  return [run, runs, inspect, rollback, reprocess];
}
