/** Cells and records, from what a source produced to typed values. */

/** A typed cell after cleansing. Dates and timestamps are epoch milliseconds (UTC). */
export type Value = string | number | boolean | null;

/** A record as a source produced it: CSV gives strings, JSON gives any JSON value. */
export type RawRecord = Record<string, unknown>;

export type TypedRow = Record<string, Value>;
