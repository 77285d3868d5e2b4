/** `tidemark audit`: the audit trail, newest first. */
import { Command } from 'commander';
import { toJson, toCompactJson } from './json';
import { command, withRuntime } from './run-command';

export function auditCommand(): Command {
  return new Command('audit')
    .description('Show the audit trail (who changed what, when, before and after), newest first')
    .option('--kind <kind>', 'target kind: contract or run')
    .option('--target <id>', 'target id, e.g. country_daily@1.0.0 or a run id')
    .option('--limit <n>', 'how many', (v) => Number(v), 50)
    .option('--json', 'print JSON')
    .action(
      command(async (opts: { kind?: string; target?: string; limit: number; json?: boolean }) => {
        const entries = await withRuntime((rt) =>
          rt.store.audit.list({ targetKind: opts.kind, targetId: opts.target, limit: opts.limit }),
        );
        if (opts.json) {
          process.stdout.write(toJson(entries));
          return;
        }
        for (const e of entries) {
          const when = new Date(e.at).toISOString().replace('T', ' ').slice(0, 19);
          const change =
            e.before || e.after ? `  ${toCompactJson(e.before)} → ${toCompactJson(e.after)}` : '';
          process.stdout.write(
            `${when}  ${e.actor}  ${e.action}  ${e.targetKind}:${e.targetId}${e.environment ? `  [${e.environment}]` : ''}${change}\n`,
          );
        }
      }),
    );
}
