/**
 * Reading query plans in tests: SQLite's EXPLAIN QUERY PLAN lines and PostgreSQL's plan
 * tree as a flat list of nodes, for statements given as SQL and positional bindings.
 */
import type { TestDb } from './db';

export interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Scan Direction'?: string;
  Plans?: PgNode[];
}

export interface PlannedStatement {
  sql: string;
  bindings: unknown[];
}

export async function sqlitePlan(db: TestDb, s: PlannedStatement): Promise<string[]> {
  const rows: Array<{ detail: string }> = await db.knex.raw(
    `EXPLAIN QUERY PLAN ${s.sql}`,
    s.bindings as never,
  );
  return rows.map((r) => r.detail);
}

/**
 * Every node of the plan, depth first. `without`: planned with sorts or sequential scans
 * turned off, for a small test table that PostgreSQL would rightly sort or read whole: a
 * plan that still has no Sort node, or reads through an index, shows that the index
 * gives the order or finds the row.
 */
export async function pgPlanNodes(
  db: TestDb,
  s: PlannedStatement,
  opts: { without?: Array<'sort' | 'seqscan'> } = {},
): Promise<PgNode[]> {
  type Explained = { rows: Array<{ 'QUERY PLAN': Array<{ Plan: unknown }> }> };
  const res = await db.knex.transaction(async (tx): Promise<Explained> => {
    for (const what of opts.without ?? []) await tx.raw(`SET LOCAL enable_${what} = off`);
    return (await tx.raw(`EXPLAIN (FORMAT JSON) ${s.sql}`, s.bindings as never)) as Explained;
  });
  const nodes: PgNode[] = [];
  const walk = (n: PgNode) => {
    nodes.push(n);
    n.Plans?.forEach(walk);
  };
  walk(res.rows[0]!['QUERY PLAN'][0]!.Plan as PgNode);
  return nodes;
}
