/**
 * A store of sample runs for the contracts workflow when no server is configured: the
 * base branch's contracts are registered in the store of TIDEMARK_DATA_DIR (or
 * DATABASE_URL), and every contract with sample data under seeds/data/<name>/ gets
 * runs over it — one run per sample file for csv and jsonl contracts, the records in
 * three runs for push contracts — so `contracts plan` has runs (and windows have
 * history) to replay.
 *
 *   tsx scripts/plan-sample-store.ts <base contracts directory>
 */
import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config';
import { openRuntime } from '../src/runtime';
import { loadContractFiles } from '../src/contracts/load';
import { createLogger } from '../src/observability/logger';

const SEEDS = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'seeds', 'data');
const PUSH_RUNS = 3;

async function main(contractsDir: string): Promise<void> {
  const config = loadConfig();
  const rt = await openRuntime(config, { logger: createLogger('warn', undefined, config.logFormat) });
  try {
    const parsed = await loadContractFiles([contractsDir]);
    await rt.contracts.apply(parsed, 'contracts-workflow');
    const environment = config.defaultEnvironment;
    for (const { contract } of parsed) {
      const seeds = join(SEEDS, contract.name);
      if (!existsSync(seeds)) continue;
      const files = (await readdir(seeds)).sort();
      const runs: string[] = [];
      if (contract.source.type === 'push') {
        const records = (await Promise.all(files.map((f) => readFile(join(seeds, f), 'utf8'))))
          .flatMap((text) => text.split('\n'))
          .filter((line) => line.trim())
          .map((line) => JSON.parse(line) as unknown);
        const size = Math.ceil(records.length / PUSH_RUNS);
        for (let i = 0; i < records.length; i += size) {
          const run = await rt.runs.ingest({
            contract: contract.name,
            environment,
            records: records.slice(i, i + size),
            actor: 'contracts-workflow',
          });
          runs.push(`${run.id} ${run.status}`);
        }
      } else if (contract.source.path) {
        // The glob's directory part: `country_daily/*.csv` lands files in `country_daily/`.
        const folder = contract.source.path
          .split('/')
          .filter((p, i, all) => i < all.length - 1 && !/[*?[{]/.test(p));
        for (const f of files) {
          const rel = join(...folder, f);
          await mkdir(join(config.landingDir, ...folder), { recursive: true });
          await cp(join(seeds, f), join(config.landingDir, rel));
          const run = await rt.runs.trigger({
            contract: contract.name,
            environment,
            actor: 'contracts-workflow',
            file: rel,
          });
          runs.push(`${run.id} ${run.status}`);
        }
      }
      process.stdout.write(`${contract.name}: ${runs.length} sample run(s): ${runs.join(', ')}\n`);
    }
  } finally {
    await rt.close();
  }
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: tsx scripts/plan-sample-store.ts <contracts directory>\n');
  process.exit(2);
}
await main(dir);
