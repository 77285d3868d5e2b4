/**
 * What a bulk insert (bulk-insert.ts) is given. What an insert reads: the items, or batches of them made while the insert runs (a
 * run's feature rows, made in slices so the server keeps answering).
 */
export type RowSource<T> = Iterable<T> | AsyncIterable<Iterable<T>>;

export interface BulkInsertPlan<T> {
  table: string;
  columns: readonly string[];
  /** Rows per statement (the last chunk may be shorter). */
  chunkSize: number;
  items: RowSource<T>;
  /** Appends one item's column values (in `columns` order) to `out`. */
  push: (item: T, out: unknown[]) => void;
  /**
   * Columns with one value for every row (the run id, its view). On SQLite they are
   * bound once per statement (`INSERT … SELECT ?, …, column1, … FROM (VALUES …)`):
   * node-sqlite3 converts every bound value on the main thread, and these were four
   * of seven values a feature row. PostgreSQL gets them per row, as plain columns.
   */
  constants?: ReadonlyArray<readonly [column: string, value: unknown]>;
  /** Set internally: how many leading columns are constants made per-row values. */
  inlinedConstants?: number;
  /**
   * The item as a JSON array of its column values (in `columns` order). When given, a
   * SQLite chunk is one bound JSON text spread into rows by `json_each` on the database
   * thread, instead of three bound values a row converted one by one on the main
   * thread. A JSON array or object cell is stored as its JSON text, byte for byte.
   */
  json?: (item: T) => string;
}
