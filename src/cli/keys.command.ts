/** `tidemark keys create|list|revoke`: API keys with roles. */
import { Command, Option } from 'commander';
import { loadConfig } from '../config';
import { ROLES } from '../domain/role';
import { toJson } from './json';
import { command, withRuntime } from './run-command';
import { newBootstrapKey } from '../auth/bootstrap';

export function keysCommand(): Command {
  const cmd = new Command('keys').description('Manage API keys (roles: reader, writer, admin)');

  cmd
    .command('create')
    .description('Create a key; the key is printed once and never stored')
    .requiredOption('--owner <name>', 'who the key belongs to (named in the audit trail)')
    .addOption(new Option('--role <role>', 'what it may do').choices([...ROLES]).makeOptionMandatory())
    .action(
      command(async (opts: { owner: string; role: string }) => {
        const config = loadConfig();
        const created = await withRuntime(
          (rt) => rt.keys.create(opts.owner, opts.role, config.operator),
          config,
        );
        process.stdout.write(`${created.secret}\n`);
        process.stderr.write(
          `key ${created.key.id} for ${created.key.owner} (${created.key.role}); store it now, it is not shown again\n`,
        );
      }),
    );

  cmd
    .command('list')
    .description('List keys (never their secrets)')
    .option('--json', 'print JSON')
    .action(
      command(async (opts: { json?: boolean }) => {
        const keys = await withRuntime((rt) => rt.keys.list());
        const rows = keys.map(({ secretSha256: _s, ...k }) => k);
        if (opts.json) return void process.stdout.write(toJson(rows));
        for (const k of rows) {
          const state = k.revokedAt ? `revoked ${new Date(k.revokedAt).toISOString()}` : 'active';
          process.stdout.write(
            `${k.id}  ${k.owner}  ${k.role}  ${state}  created ${new Date(k.createdAt).toISOString()} by ${k.createdBy}\n`,
          );
        }
      }),
    );

  cmd
    .command('bootstrap')
    .description(
      'Make an admin key for a new deployment, without a database: prints the key and the value of TIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH',
    )
    .action(
      command(async () => {
        const made = newBootstrapKey();
        process.stdout.write(`${made.token}\nTIDEMARK_BOOTSTRAP_ADMIN_KEY_HASH=${made.value}\n`);
        process.stderr.write(
          'keep the key (first line) now, it is not shown again; give the deployment only the second line:\n' +
            'at start, when no admin key exists, it becomes an admin key (owner bootstrap)\n',
        );
      }),
    );

  cmd
    .command('revoke')
    .description('Revoke a key: it stops working at once')
    .argument('<id>', 'key id (the part after tmk_)')
    .action(
      command(async (id: string) => {
        const config = loadConfig();
        const key = await withRuntime((rt) => rt.keys.revoke(id, config.operator), config);
        process.stdout.write(`revoked  ${key.id}  ${key.owner}\n`);
      }),
    );

  return cmd;
}
