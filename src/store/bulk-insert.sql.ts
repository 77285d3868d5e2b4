/** The statements of a bulk insert (bulk-insert.ts), by chunk shape. */

export function insertSql(
  table: string,
  columns: readonly string[],
  rows: number,
  placeholder: (i: number) => string,
): string {
  const head = `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES `;
  return head + valuesList(columns.length, rows, placeholder);
}

/**
 * SQLite with constants: `INSERT INTO t (k…, c…) SELECT ?…, column1… FROM (VALUES (…), …)`.
 * The constants' placeholders come first, so their values lead the bindings.
 */
export function insertSelectSql(
  table: string,
  constants: readonly string[],
  columns: readonly string[],
  rows: number,
): string {
  const all = [...constants, ...columns].map(quoteIdent).join(', ');
  const picks = [...constants.map(() => '?'), ...columns.map((_, i) => `column${i + 1}`)].join(', ');
  return `INSERT INTO ${quoteIdent(table)} (${all}) SELECT ${picks} FROM (VALUES ${valuesList(columns.length, rows, () => '?')})`;
}

/**
 * SQLite, one JSON text a chunk: `INSERT INTO t (k…, c…) SELECT ?…, value->>0, … FROM
 * json_each(CAST(? AS TEXT))`. `->>` gives a JSON string as its text, a number as an INTEGER or REAL,
 * and an array or object as its JSON text exactly as written.
 */
export function insertJsonSql(
  table: string,
  constants: readonly string[],
  columns: readonly string[],
): string {
  const all = [...constants, ...columns].map(quoteIdent).join(', ');
  const picks = [...constants.map(() => '?'), ...columns.map((_, i) => `value->>${i}`)].join(', ');
  // The document comes as a blob of UTF-8 (jsonChunks): read as the text it is.
  return `INSERT INTO ${quoteIdent(table)} (${all}) SELECT ${picks} FROM json_each(CAST(? AS TEXT))`;
}

function valuesList(width: number, rows: number, placeholder: (i: number) => string): string {
  const tuples: string[] = new Array(rows);
  let p = 0;
  for (let r = 0; r < rows; r++) {
    const cells: string[] = new Array(width);
    for (let c = 0; c < width; c++) cells[c] = placeholder(++p);
    tuples[r] = `(${cells.join(', ')})`;
  }
  return tuples.join(', ');
}

/** Identifiers here are our own constants; quoting keeps reserved words safe on both engines. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
