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

/** Every node of the plan, depth first. */
export async function pgPlanNodes(db: TestDb, s: PlannedStatement): Promise<PgNode[]> {
  const res = await db.knex.raw(`EXPLAIN (FORMAT JSON) ${s.sql}`, s.bindings as never);
  const nodes: PgNode[] = [];
  const walk = (n: PgNode) => {
    nodes.push(n);
    n.Plans?.forEach(walk);
  };
  walk(res.rows[0]['QUERY PLAN'][0].Plan as PgNode);
  return nodes;
}
