/** DuckDB in process (@duckdb/node-api): the analytical baseline. */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface Duck {
  conn: DuckDBConnection;
  version: string;
  threads: number;
  close(): void;
}

/** An in-memory DuckDB with its default thread count (every core). */
export async function openDuck(): Promise<Duck> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const info = (
    await conn.runAndReadAll(`SELECT version() AS v, current_setting('threads') AS t`)
  ).getRowObjects()[0]!;
  return {
    conn,
    version: String(info.v),
    threads: Number(info.t),
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** A SQL string literal. */
export function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
