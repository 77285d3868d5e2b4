/**
 * The big store the console bench reads: one real run ingested through the server
 * (so every row the server writes for a run exists in its own shape), then cloned in
 * bulk, set-based, straight into the tables: `runs` more runs of the same contract
 * (some failed, some with rejects, each with its raw batch link and lineage edges), and
 * the template run's one rejected row repeated until it holds `rejects` rows, with the
 * run's stored counts set to match. The server reads the result as any other store.
 */
import type { Knex } from 'knex';
import { T } from '../../src/store/tables';
import { openDb, type Db } from '../../src/store/connection';

export interface ConsoleStoreSize {
  runs: number;
  rejects: number;
}

export interface SeededStore {
  /** The run holding every rejected row. */
  rejectsRun: string;
  /** An old run, deep in the runs list (a late page starts after it). */
  oldRun: { id: string; queuedAt: number };
  contract: string;
}

/** The server's own way to open its store (no query time limit: the seeding is long). */
export function connect(engine: 'sqlite' | 'postgres', dataDir: string, pgUrl: string | null): Db {
  return engine === 'postgres'
    ? openDb({ engine, url: pgUrl!, queryTimeoutMs: 0 })
    : openDb({ engine, filename: `${dataDir}/tidemark.sqlite` });
}

/** 1..n as a table `s(n)`, in each engine's words. */
function series(engine: 'sqlite' | 'postgres', n: number): string {
  return engine === 'postgres'
    ? `generate_series(1, ${n}) AS s(n)`
    : `(WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < ${n}) SELECT n FROM c) AS s`;
}

export async function seedConsoleStore(
  db: Knex,
  engine: 'sqlite' | 'postgres',
  templateRunId: string,
  size: ConsoleStoreSize,
): Promise<SeededStore> {
  const template = (await db(T.runs).where({ id: templateRunId }).first()) as Record<string, unknown>;
  if (!template) throw new Error(`console bench: template run ${templateRunId} is missing`);
  const clones = size.runs - 1;
  const spacingMs = 60_000;
  const id = (n: string) => (engine === 'postgres' ? `'run_bench_' || lpad(${n}::text, 7, '0')` : `'run_bench_' || printf('%07d', ${n})`);
  const shifted = (col: string) => `t.${col} - (${clones + 1} - s.n) * ${spacingMs}`;
  const override: Record<string, string> = {
    id: id('s.n'),
    status: `CASE WHEN s.n % 50 = 0 THEN 'failed' ELSE 'succeeded' END`,
    error: `CASE WHEN s.n % 50 = 0 THEN 'bench: a failed run' ELSE NULL END`,
    error_kind: `CASE WHEN s.n % 50 = 0 THEN 'input' ELSE NULL END`,
    rows_rejected: `CASE WHEN s.n % 7 = 0 THEN s.n % 13 + 1 ELSE 0 END`,
    queued_at: shifted('queued_at'),
    started_at: shifted('started_at'),
    finished_at: shifted('finished_at'),
    committed_at: `CASE WHEN s.n % 50 = 0 THEN NULL ELSE ${shifted('committed_at')} END`,
    precedence: `CASE WHEN s.n % 50 = 0 THEN NULL ELSE ${shifted('precedence')} END`,
    // The clones hold no reject rows of their own (their rows_rejected is only a number).
    rejects_stored: '0',
    output_digest: `CASE WHEN s.n % 50 = 0 THEN NULL ELSE t.output_digest END`,
  };
  // seq numbers each run as it is inserted (a sequence, or a trigger on SQLite).
  const columns = Object.keys(template).filter((c) => c !== 'seq');
  const select = columns.map((c) => override[c] ?? `t.${c}`).join(', ');
  await db.transaction(async (tx) => {
    await tx.raw(
      `INSERT INTO ${T.runs} (${columns.join(', ')}) SELECT ${select} FROM ${T.runs} t, ${series(engine, clones)} WHERE t.id = ?`,
      [templateRunId],
    );
    const links = await tx(T.runRawBatches).where({ run_id: templateRunId });
    const linkCols = Object.keys(links[0] ?? {});
    if (linkCols.length)
      await tx.raw(
        `INSERT INTO ${T.runRawBatches} (${linkCols.join(', ')}) SELECT ${linkCols
          .map((c) => (c === 'run_id' ? id('s.n') : `l.${c}`))
          .join(', ')} FROM ${T.runRawBatches} l, ${series(engine, clones)} WHERE l.run_id = ?`,
        [templateRunId],
      );
    const run = id('s.n');
    await tx.raw(
      `INSERT INTO ${T.lineageEdges} (run_id, from_kind, from_id, to_kind, to_id, attributes, created_at)
       SELECT ${run}, e.from_kind, REPLACE(e.from_id, ?, ${run}), e.to_kind, REPLACE(e.to_id, ?, ${run}),
         e.attributes, ${shifted('created_at').replace('t.', 'e.')}
       FROM ${T.lineageEdges} e, ${series(engine, clones)} WHERE e.run_id = ?`,
      [templateRunId, templateRunId, templateRunId],
    );
    // The template's rejects, repeated (row numbers kept distinct) up to size.rejects.
    const have = Number(
      ((await tx(T.rejectedRows).where({ run_id: templateRunId }).count({ n: '*' })) as Array<{ n: unknown }>)[0]!.n,
    );
    if (have === 0) throw new Error('console bench: the template run has no rejected row to repeat');
    const repeats = Math.max(0, Math.floor((size.rejects - have) / have));
    if (repeats > 0)
      await tx.raw(
        `INSERT INTO ${T.rejectedRows} (run_id, raw_batch_id, row_number, raw, reasons)
         SELECT j.run_id, j.raw_batch_id, j.row_number + s.n * 1000, j.raw, j.reasons
         FROM ${T.rejectedRows} j, ${series(engine, repeats)} WHERE j.run_id = ?`,
        [templateRunId],
      );
    const total = have * (repeats + 1);
    await tx(T.runs)
      .where({ id: templateRunId })
      .update({
        rows_rejected: total,
        rejects_stored: total,
        rows_read: Number(template.rows_read) - Number(template.rows_rejected) + total,
      });
  });
  await db.raw('ANALYZE');
  const old = (await db(T.runs)
    .where({ id: `run_bench_${String(Math.max(1, Math.floor(clones / 10))).padStart(7, '0')}` })
    .first()) as { id: string; queued_at: number | string };
  return {
    rejectsRun: templateRunId,
    oldRun: { id: old.id, queuedAt: Number(old.queued_at) },
    contract: String(template.contract_name),
  };
}
